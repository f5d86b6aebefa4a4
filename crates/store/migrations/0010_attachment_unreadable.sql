-- An attachment whose text could not be read (an image where OCR is not installed, a scan OCR
-- found nothing in) says why; the scan turns it into a finding a reviewer confirms by hand, so
-- it is never taken as clean. NULL: its text was read.
ALTER TABLE attachments ADD COLUMN unreadable TEXT;
