DROP TABLE intake_jobs;
