// Package mail composes and sends Helpdesk's notification emails (SPEC E1-E3, N1-N3).
//
// Three parts, used in this order by the delivery worker:
//
//   - A Composer turns a Notification (what happened, to whom, in which thread) into a Message,
//     always with the same fixed template (E1): the Messenger's logo, a heading, the comment, the
//     ticket's number, title and customer-facing state, a link to the thread and a hint that one
//     can reply. Compose does no I/O and is deterministic: the same Notification gives the same
//     Message, so a retry reuses the same Message-ID.
//   - The reply address carries an unguessable token (NewReplyToken, ReplyToken), and Message-ID,
//     In-Reply-To and References thread the emails together in Gmail, Outlook and Apple Mail;
//     together they let inbound mail find the ticket or conversation it answers (E2).
//   - A Sender delivers a Message over SMTP and says whether a failure is worth retrying
//     (IsTemporary), so that the worker retries with backoff while the server is down and gives
//     up on a message the server refuses for good (E3).
//
// # Never sent twice (E3, N4)
//
// Send returns nil exactly when the server has accepted the message (its reply to the end of
// DATA), even if closing the connection fails afterwards, so a worker that records "sent" when
// Send returns nil does not send again. The one unavoidable ambiguity of SMTP, a connection lost
// after the message was transmitted but before the server answered, is reported as temporary;
// the retry then carries the same Message-ID, by which receiving systems (Gmail among them)
// recognise and drop the duplicate.
//
// # Headers
//
// Every message has Auto-Submitted: auto-generated (RFC 3834), so that autoresponders do not
// answer it, and X-Auto-Response-Suppress: OOF, AutoReply for Exchange; bounces are not
// suppressed. Inbound handling should in turn ignore mail that is itself auto-submitted.
//
// There is no List-Unsubscribe header: these are transactional messages about the customer's
// own tickets and conversations, not a mailing list, and the header would promise an
// unsubscribe endpoint that does not exist. Should notification preferences arrive, the place to
// add it is Message (a field set by Compose from the Notification) and Message.msg.
package mail
