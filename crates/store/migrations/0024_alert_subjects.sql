-- Resolving the open alerts of one case, application, message or rating (when it moves on or is
-- answered) reads these partial indexes instead of every open alert: they hold only open alerts
-- that name such a record, so they stay small while the alert history grows.
CREATE INDEX supervision_alerts_open_case ON supervision_alerts(case_id) WHERE case_id IS NOT NULL AND resolved_at IS NULL;
CREATE INDEX supervision_alerts_open_application ON supervision_alerts(application_id) WHERE application_id IS NOT NULL AND resolved_at IS NULL;
CREATE INDEX supervision_alerts_open_message ON supervision_alerts(message_id) WHERE message_id IS NOT NULL AND resolved_at IS NULL;
CREATE INDEX supervision_alerts_open_rating ON supervision_alerts(rating_id) WHERE rating_id IS NOT NULL AND resolved_at IS NULL;
