WITH mh_base AS (
  SELECT *,
    date_diff('day', "first_day", "day") AS "tenure_days"
  FROM "user_day"
), mh_sel AS (
  SELECT *,
    coalesce(("files_to_removable" >= $p0 * greatest(coalesce("files_to_removable__median", 0), 1) AND "files_to_removable" >= $p1), false) AS "mh_s0",
    coalesce(("cloud_uploads" >= $p2 * greatest(coalesce("cloud_uploads__median", 0), 1) AND "cloud_uploads" >= $p3), false) AS "mh_s1",
    coalesce(("personal_recipients" >= $p4 AND "attachments_out" >= $p5 * greatest(coalesce("attachments_out__median", 0), 1) AND "attachments_out" >= $p6), false) AS "mh_s2",
    coalesce(("days_to_departure" >= $p7 AND "days_to_departure" <= $p8), false) AS "mh_s3"
  FROM mh_base
)
SELECT "user_id",
    "day",
    CAST($p9 AS VARCHAR) AS "rule_id",
    CAST($p10 AS VARCHAR) AS "level",
    50 AS "weight",
    CAST("files_to_removable" AS DOUBLE) AS "value",
    concat(coalesce(regexp_replace(printf('%.1f', CAST("files_to_removable" AS DOUBLE)), '\.0$', ''), 'n/a'), $p11, printf('%.1f', CAST("files_to_removable" / greatest(coalesce("files_to_removable__median", 0), 1) AS DOUBLE)), $p12, coalesce(regexp_replace(printf('%.1f', CAST("cloud_uploads" AS DOUBLE)), '\.0$', ''), 'n/a'), $p13, coalesce(regexp_replace(printf('%.1f', CAST("attachments_out" AS DOUBLE)), '\.0$', ''), 'n/a'), $p14, coalesce(regexp_replace(printf('%.1f', CAST("days_to_departure" AS DOUBLE)), '\.0$', ''), 'n/a'), $p15) AS "explanation"
FROM mh_sel
WHERE ("mh_s0" OR "mh_s1" OR "mh_s2") AND "mh_s3"
-- params: {"p0": 5.0, "p1": 20.0, "p10": "high", "p11": " files to removable media (", "p12": "x their median), ", "p13": " cloud uploads, ", "p14": " attachments to external mail, ", "p15": " days before their last day", "p2": 5.0, "p3": 3.0, "p4": 1.0, "p5": 5.0, "p6": 5.0, "p7": 0.0, "p8": 30.0, "p9": "departing-data-theft"}
