// The Inbox's plain JavaScript: what htmx does not do. Each feature adds its part below.
"use strict";
