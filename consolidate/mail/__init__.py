"""The e-mail loop: reports in from the office mailbox, answers and reminders out.

Every unit is answered by e-mail, and only the units that owe a report are reminded
(đôn đốc)."""
