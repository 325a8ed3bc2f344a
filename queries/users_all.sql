-- grain: one row per dashboard account
-- Every account for user management (lendrisk.admin). Columns: username, password_hash (argon2),
-- role (investor / manager / admin), investor_id (investors only)
-- key: username
select
    username,
    password_hash,
    role,
    investor_id
from users
order by username
