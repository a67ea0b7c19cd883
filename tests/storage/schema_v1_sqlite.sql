-- The tables tuneops 0.1.0 (schema version 1) created on sqlite, for the upgrade test.

CREATE TABLE tuneops_schema (
	version INTEGER NOT NULL, 
	PRIMARY KEY (version)
);

CREATE TABLE tuneops_studies (
	id INTEGER NOT NULL, 
	name VARCHAR(256) NOT NULL, 
	metric VARCHAR(256) NOT NULL, 
	direction VARCHAR(16) NOT NULL, 
	space TEXT NOT NULL, 
	searcher TEXT NOT NULL, 
	scheduler TEXT NOT NULL, 
	seed BIGINT NOT NULL, 
	artifacts_dir TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	attrs TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);

CREATE TABLE tuneops_trials (
	id INTEGER NOT NULL, 
	study_id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	config TEXT NOT NULL, 
	seed BIGINT NOT NULL, 
	rung INTEGER NOT NULL, 
	bracket INTEGER, 
	resource TEXT NOT NULL, 
	value FLOAT, 
	metrics TEXT NOT NULL, 
	started_at FLOAT, 
	finished_at FLOAT, 
	duration FLOAT NOT NULL, 
	error TEXT, 
	traceback TEXT, 
	note TEXT, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_tuneops_trial_number UNIQUE (study_id, number), 
	FOREIGN KEY(study_id) REFERENCES tuneops_studies (id) ON DELETE CASCADE
);

CREATE TABLE tuneops_evaluations (
	id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	rung INTEGER NOT NULL, 
	resource TEXT NOT NULL, 
	value FLOAT, 
	metrics TEXT NOT NULL, 
	started_at FLOAT NOT NULL, 
	finished_at FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(trial_id) REFERENCES tuneops_trials (id) ON DELETE CASCADE
);

CREATE INDEX ix_tuneops_evaluations_trial ON tuneops_evaluations (trial_id);

CREATE TABLE tuneops_intermediate (
	id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	rung INTEGER NOT NULL, 
	step INTEGER NOT NULL, 
	value FLOAT, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_tuneops_intermediate UNIQUE (trial_id, rung, step), 
	FOREIGN KEY(trial_id) REFERENCES tuneops_trials (id) ON DELETE CASCADE
);
