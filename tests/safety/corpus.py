"""Strings that must not reach a model, and strings that look like them but must (an investigation
needs its hashes, ids and versions). Each secret is given with the part that must disappear.

The credentials here are fabricated: well-known documentation examples or random characters.
"""

# (line as it appears in a log, a config dump or an incident text, the secret part)
SECRETS: list[tuple[str, str]] = [
    # AWS
    ("using access key AKIAIOSFODNN7EXAMPLE for s3", "AKIAIOSFODNN7EXAMPLE"),
    ("sts creds ASIAY34FZKBOKMUTVV7A expired", "ASIAY34FZKBOKMUTVV7A"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ('AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    # Slack
    ("posting with xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
    ("user token xoxp-1234567890-1234567890-1234567890-0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
    ("socket mode app token xapp-1-A0123456789-1234567890123-0123456789abcdef", "xapp-1-A0123456789-1234567890123-0123456789abcdef"),
    ("webhook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX failed",
     "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    # GitHub / GitLab
    ("git clone with ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R", "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R"),
    ("GITHUB_TOKEN=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789",
     "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"),
    ("ci token glpat-AbCdEfGhIjKlMnOpQrSt", "glpat-AbCdEfGhIjKlMnOpQrSt"),
    # model / payment API keys
    ("OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
    ("stripe key sk_live_51HxAbCdEfGhIjKlMnOpQrSt in config", "sk_live_51HxAbCdEfGhIjKlMnOpQrSt"),
    # bearer headers and JWTs
    ("GET /api/orders Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ('headers={"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}', "dXNlcjpwYXNzd29yZA=="),
    ("proxy said: bearer AbCdEfGhIjKlMnOpQrStUvWx.yz", "AbCdEfGhIjKlMnOpQrStUvWx"),
    ("session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    # passwords in URLs and pairs
    ("connect failed: postgres://checkout:Pa55w0rd!x@db.internal:5432/shop", "Pa55w0rd!x"),
    ("redis://:s3cr3t-redis@cache:6379/0 refused", "s3cr3t-redis"),
    ("amqp://guest:hunter2hunter2@mq/vhost", "hunter2hunter2"),
    ("reloading config password=CorrectHorseBattery", "CorrectHorseBattery"),
    ('{"db_password": "tr0ub4dor&3", "host": "db"}', "tr0ub4dor&3"),
    ("DB_PASSWORD: 'qwerty-uiop-123'", "qwerty-uiop-123"),
    ("login ok passwd=letmein42 user=ops", "letmein42"),
    ("GET /callback?code=abc&access_token=ya29.a0AfH6SMBxyz123&state=1", "ya29.a0AfH6SMBxyz123"),
    ("client_secret: 8Q~AbCdEfGhIjKlMnOpQrStUvWxYz", "8Q~AbCdEfGhIjKlMnOpQrStUvWxYz"),
    ("api_key=0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
    ("X-Api-Key: 5f4dcc3b5aa765d61d8327deb882cf99", "5f4dcc3b5aa765d61d8327deb882cf99"),
    ("Cookie: session=9a8b7c6d5e4f3a2b1c0d; theme=dark", "9a8b7c6d5e4f3a2b1c0d"),
    # private keys
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2c3d4e5f6g7h8i9j0\nk1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6==\n-----END RSA PRIVATE KEY-----",
     "MIIEowIBAAKCAQEA1b2c3d4e5f6g7h8i9j0"),
    ("key: -----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\\n-----END OPENSSH PRIVATE KEY-----",
     "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"),
    ("-----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkqhkiG9w0BAQEFAASC (truncated in log)", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
]

# Must come through unchanged: what investigations are made of.
LOOKALIKES: list[str] = [
    "deploy v2.4.0 shipped b6fa7cd: Reduce database connection pool size to 5",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b merged",
    "request 3f2a9c1b-4d5e-4f60-8a7b-9c0d1e2f3a4b failed after 30000ms",
    "pod checkout-api-7d9f8b6c5-x2k4j OOMKilled (exit 137)",
    "2026-02-17T14:30:00Z ERROR [db] Connection pool exhausted: 5/5 connections in use, 37 waiting",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
    "image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 pulled",
    "token bucket refilled: 100 tokens, max_tokens=4096",
    "password reset email sent to user 4412",
    "password_reset=true for account 4412",
    "login failed: invalid password for user ops",
    "auth failed: token=expired",
    "password: null",
    "secret=<redacted>",
    "api_key=${OPENAI_API_KEY}",
    "Authorization: denied for role viewer",
    "authorization failed: user not in group",
    "secret_name: db-credentials",
    "mounted secret/db-creds into /etc/app",
    "idempotency_key=ord-99812 replayed",
    "GET https://api.payments.example.com/v1/charges 503 in 2.1s",
    "upstream http://10.0.3.17:8080/health timed out",
    "k8s namespace checkout, node ip-10-0-3-17.ec2.internal",
    "AKIA is the prefix of AWS access key ids",
    "skipped 12 retries; sk-learn model loaded",
    "bearer tokens are rotated hourly",
    "the JWT header was eyJhbGciOi (truncated)",
    "Set pool_size=5 max_overflow=0 pool_timeout=30",
    "version 1.19.0 rolled back to 1.18.0",
    "user:password@ syntax is deprecated in our docs",
]

SECRETS += [
    ("DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;EndpointSuffix=core.windows.net",
     "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA=="),
]
LOOKALIKES += [
    "api_key=$OPENAI_API_KEY",
    "Cookie: n/a",
]

# Secrets whose key is camelCase, glued or short (JSON logs from Java, JS and Go), and token
# formats with a known prefix.
SECRETS += [
    ("PGPASSWORD=hunter22 psql -h db", "hunter22"),
    ('{"dbPassword":"hunter22","host":"db"}', "hunter22"),
    ('{"userPassword": "s3cr3t-pw-42"}', "s3cr3t-pw-42"),
    ("oauth clientSecret=AbC123dEf456gHi789 rejected", "AbC123dEf456gHi789"),
    ('{"accessToken":"at-9f8e7d6c5b4a","expiresIn":3600}', "at-9f8e7d6c5b4a"),
    ("REDIS_PASS=r3d1s-pw connecting", "r3d1s-pw"),
    ('{"user": "svc", "pass": "hunter22"}', "hunter22"),
    ("MYSQL_PWD=hunter22", "hunter22"),
    ("SECRET_KEY_BASE=abcdef0123456789abcdef0123456789", "abcdef0123456789abcdef0123456789"),
    ("spring.datasource.password=hunter22", "hunter22"),
    ("--password=hunter22 --user=ops", "hunter22"),
    ("X-Vault-Token: hvs.CAESIJlWh0abcdefghijklmnop", "hvs.CAESIJlWh0abcdefghijklmnop"),
    ("vault login with hvs.CAESIJlWh0abcdefghijklmnopqrstuvwxyz", "hvs.CAESIJlWh0abcdefghijklmnopqrstuvwxyz"),
    ("HF hub token hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"),
    ("sendgrid SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG 401",
     "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
    ("GET https://shop.blob.core.windows.net/c/x.pdf?sv=2022-11-02&se=2030-01-01&sig=AbCdEf0123456789%2Bxyz%3D 403",
     "AbCdEf0123456789%2Bxyz%3D"),
    ("authorization: Bearer abc", " abc"),
    ("posting to https://discord.com/api/webhooks/123456789/AbCdEf-GhIjKl_012 failed",
     "AbCdEf-GhIjKl_012"),
]
LOOKALIKES += [
    "pwd=/home/app",
    "PWD=/srv/app",
    "token: 3",
    "credentials: loaded",
    "credentials=2 loaded",
    "token_count=1234 tokens=1234 max_tokens: 4096",
    "session_token_ttl=3600 auth_token_expired=true",
    "password_hash_algo=argon2 password_length=12",
    "api_key_id=key_12345 secret_version: 7",
    "bypass=true compass=north",
    "Authorization: Bearer [MASKED]",
    "token_type=Bearer",
    "GET /search?q=shoes&sort=price 200",
]
