-- Every skill in the taxonomy in force, plus any skill still present in older postings after
-- it was removed from the taxonomy (category 'retired'), so the bridge never loses a side.
with taxonomy as (
    select * from {{ ref('stg_lake__skills') }}
),

seen as (
    select distinct unnest(skills) as skill from {{ ref('fact_jobs') }}
),

final as (
    select skill, category from taxonomy
    union all
    select seen.skill, 'retired' as category
    from seen
    anti join taxonomy using (skill)
)

select md5(skill) as skill_key, skill, category from final
