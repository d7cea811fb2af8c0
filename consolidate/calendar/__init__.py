"""The reporting calendar: the deadline grammar of the province's plans and the periods."""
