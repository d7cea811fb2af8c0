"""The e-mail loop: units' reports arrive from the office mailbox, every unit is answered
by e-mail, and only the units that owe a report are reminded (đôn đốc)."""
