"""Password hashing sized for a small dyno."""

from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane.

    Django's default costs 100 MiB per hash. A web dyno runs 2 workers of 8 threads,
    so sixteen logins at once would need 1.6 GB on a 512 MB dyno: an attacker posting
    login attempts could push it into swap or out of memory. At 19 MiB the same sixteen
    need about 300 MB. Hashes keep the name "argon2", so existing ones still verify,
    and Django re-hashes them with these costs at the user's next login.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
