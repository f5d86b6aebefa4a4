-- The last TOTP time step a staff member used: a code is accepted once, never replayed within
-- its 90-second window.
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;
