// The Inbox's shared JavaScript. Each feature has its own script, static/FEATURE.js.
"use strict";
