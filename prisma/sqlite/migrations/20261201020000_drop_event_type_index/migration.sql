-- No query reads events by type (they are read by mission and seq), and every appended event
-- paid for this index: one more page written per report.
DROP INDEX "MissionEvent_type_idx";
