-- grain: one row per dashboard account
-- Every account for user management (lendrisk.admin). Columns: username, password_hash (argon2),
-- role (investor / manager / admin), investor_id (investors only)
-- key: username
select *
from account
order by username
