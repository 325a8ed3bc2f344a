-- grain: one row per investor
-- The investor ids an investor account can be linked to. Column: investor_id
-- key: investor_id
select investor_id
from investors
order by investor_id
