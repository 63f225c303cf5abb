"""Email to case (D15): parse one raw RFC 5322 message (`parse`), match its sender and
thread (`threads`), and store it once as a new case or a message of its case (`ingest`).
The SMTP receiver (server/mail_receiver.py) and `cosell mail ingest` share this path."""
