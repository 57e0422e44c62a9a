"""gunicorn settings for Render (free plan: 512 MB, so two workers of at most ~150 MB)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
# Recycle workers now and then so a slow leak can never outgrow the plan.
max_requests = 1000
max_requests_jitter = 100
# Render's proxy terminates TLS and sets X-Forwarded-*.
forwarded_allow_ips = "*"
# JSON access log with the path only (backoffice/logs.py): query strings can carry e-mail
# addresses, and client addresses are personal data.
accesslog = "-"
logger_class = "backoffice.logs.JsonAccessLogger"
