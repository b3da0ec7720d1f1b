"""The Celery app of the background workers: `celery --app make_celery worker`.

It is the Flask app's, so that tasks run with the app's configuration and inside its context
(see shop/tasks.py).
"""

from shop import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
