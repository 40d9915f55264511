"""The admin's sign-in page is limited like the site's and says why it refused."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-admin-password"


def test_admin_login_says_the_limit_refused_it(client):
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    url = reverse("admin:login")
    first = client.post(url, {"username": "root", "password": "wrong"})
    assert "Too many failed" not in first.content.decode()
    for _ in range(4):
        client.post(url, {"username": "root", "password": "wrong"})

    response = client.post(url, {"username": "root", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
