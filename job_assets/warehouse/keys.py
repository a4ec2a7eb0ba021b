"""Integer surrogate keys derived from the warehouse's md5 keys. Pure SQL text, no Dagster.

``job_sk`` = the first 60 bits of a job's ``job_posting_key`` (an md5 hex digest) as a BIGINT.
Derived, not assigned: the same job gets the same key in every run and every publish, so files
written at different moments still join, and no sequence has to be kept. 60 bits keep it a
positive signed BIGINT (Hyper has no unsigned type); the publish step checks it is unique.
dbt computes the same expression with the ``job_sk`` macro (dbt_project/macros/job_sk.sql).
"""

from __future__ import annotations

# format with key=<sql expression of an md5 hex digest>
JOB_SK_SQL = "('0x' || left({key}, 15))::bigint"
# the same, NULL instead of an error for a key that is not hex (hand-made frames in tests)
JOB_SK_OR_NULL_SQL = "try_cast('0x' || left({key}, 15) as bigint)"
