-- A staff member's e-mail address (optional): reminders about the applications they handle.
ALTER TABLE staff ADD COLUMN email TEXT NOT NULL DEFAULT '';
