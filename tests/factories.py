from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.core import keys, roles
from rathaus.core.models import Authority, AuthorityHost, Membership, OrgUnit

PASSWORD = "correct horse battery staple"


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"gemeinde-{n}")
    name = factory.Sequence(lambda n: f"Gemeinde Beispielstadt {n}")
    kind = Authority.Kind.GEMEINDE
    ags = factory.Sequence(lambda n: f"15091{n % 1000:03d}")  # a Kreis no demo authority uses
    ars = factory.LazyAttribute(lambda o: keys.ars_for_einheitsgemeinde(o.ags))
    street = "Marktplatz 1"
    postal_code = "39179"
    city = "Beispielstadt"


class AuthorityHostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorityHost

    authority = factory.SubFactory(AuthorityFactory)
    hostname = factory.Sequence(lambda n: f"gemeinde-{n}.localhost")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    authority = factory.SubFactory(AuthorityFactory)
    slug = factory.Sequence(lambda n: f"amt-{n}")
    name = factory.Sequence(lambda n: f"Amt {n}")
    description = "Zuständig für Beispiele."
    email = factory.LazyAttribute(lambda o: f"{o.slug}@example.org")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Kim"
    last_name = "Beispiel"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator"
    confirmed = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    org_unit = factory.SubFactory(OrgUnitFactory)
    role = factory.LazyFunction(lambda: roles.role(roles.CLERK))
