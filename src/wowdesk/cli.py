"""The ``wowdesk`` command."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated

import typer

app = typer.Typer(
    help="wowdesk: the self-hosted, multilingual help desk.",
    no_args_is_help=True,
    add_completion=False,
)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
agent_app = typer.Typer(help="Agents.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(agent_app, name="agent")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wowdesk.settings")
    import django

    django.setup()


def fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    from wowdesk.core.services import default_brand
    from wowdesk.setup import ensure_defaults, train_models

    default_brand()
    ensure_defaults()
    train_models()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
    worker: Annotated[
        bool, typer.Option(help="Run the task worker in-process (the embedded default).")
    ] = True,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Migrate before serving.")
    ] = True,
    smtp: Annotated[
        bool, typer.Option("--smtp/--no-smtp", help="Run the inbound SMTP listener.")
    ] = True,
) -> None:
    """Serve the web app and API (ASGI). In the embedded default it also runs the worker."""
    import uvicorn

    if migrate_first:
        migrate()
    setup_django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    os.environ["WOWDESK_SERVING"] = "1"
    if worker:
        os.environ["WOWDESK_EMBEDDED_WORKER"] = "1"
    if smtp:
        from wowdesk.channels.email.smtp_server import start_smtp_server

        listener = start_smtp_server()
        typer.echo(f"wowdesk taking mail on smtp://{listener.hostname}:{listener.port}")
    typer.echo(f"wowdesk serving on http://{host}:{port}")
    uvicorn.run(
        "wowdesk.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


@app.command("worker")
def worker_cmd(
    interval: Annotated[float, typer.Option(help="Seconds between polls when idle.")] = 0.5,
) -> None:
    """Run background tasks (outbound delivery, retries) in the foreground."""
    setup_django()
    from wowdesk.worker import run_worker

    run_worker(interval)


BrandOption = Annotated[str | None, typer.Option("--brand", help="Only this brand (its slug).")]
Step = Callable[[int, int], None]


def each_brand(
    brand: str | None, label: str, work: Callable[[int, Step], int], *, count_done: bool = True
) -> dict[str, int]:
    """Run ``work(brand_id, step)`` for every brand (or the one ``--brand`` names) under a
    progress bar, a row per brand; ``step(done, total)`` moves its row, and with
    ``count_done`` the row ends at the count ``work`` returns. The result per slug."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from wowdesk.core.models import Brand

    brands = Brand.objects.order_by("pk")
    if brand is not None:
        brands = brands.filter(slug=brand)
        if not brands.exists():
            fail(f"--brand: no brand with the slug {brand!r}")
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    done: dict[str, int] = {}
    with Progress(*columns) as bar:
        for b in brands:
            row = bar.add_task(f"{b.slug}{label}", total=None)

            def step(finished: int, total: int, row: object = row) -> None:
                bar.update(row, completed=finished, total=total)  # type: ignore[arg-type]

            done[b.slug] = work(b.pk, step)
            if count_done:
                bar.update(row, completed=done[b.slug], total=max(done[b.slug], 1))
    return done


@app.command("kb-reindex")
def kb_reindex(brand: BrandOption = None) -> None:
    """Rebuild the knowledge-base search index (every brand, or one) and save it."""
    setup_django()
    from wowdesk.knowledge import search

    each_brand(brand, "", lambda brand_id, step: search.rebuild(brand_id, progress=step))
    typer.echo(f"index written to {search.index_dir()}")


@app.command("voc-topics")
def voc_topics(brand: BrandOption = None) -> None:
    """Compute the voice of the customer's topics now (every brand, or one)."""
    setup_django()
    from wowdesk.analytics import topics_jobs

    found = each_brand(
        brand,
        ": texts embedded",
        lambda brand_id, step: topics_jobs.run(brand_id, progress=step),
        count_done=False,
    )
    for slug, count in found.items():
        typer.echo(f"{slug}: {count} topics")


@app.command("analytics-rebuild")
def analytics_rebuild(brand: BrandOption = None) -> None:
    """Recompute the facts the reports read (every brand, or one) from the tables."""
    setup_django()
    from wowdesk.analytics import rollups

    written = each_brand(
        brand, "", lambda brand_id, step: rollups.rebuild([brand_id], progress=step)
    )
    typer.echo(f"{sum(written.values())} conversation facts written")


@app.command()
def listeners(
    markdown: Annotated[bool, typer.Option(help="Print a Markdown table.")] = False,
    write: Annotated[
        str | None,
        typer.Option(help="Rewrite the generated blocks of this file (docs/events.md)."),
    ] = None,
) -> None:
    """Who listens to which event: event, phase, listener, app (core.events)."""
    setup_django()
    from pathlib import Path

    from wowdesk.core import event_docs

    if write is not None:
        path = Path(write)
        try:
            path.write_text(event_docs.generated(path.read_text(encoding="utf-8")), "utf-8")
        except (OSError, ValueError) as exc:
            fail(str(exc))
        typer.echo(f"{path}: listener table and payloads written")
        return
    typer.echo(event_docs.listeners_markdown() if markdown else event_docs.listeners_text())


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same demo.")] = 7,
    conversations: Annotated[int, typer.Option(help="How many conversations.")] = 6000,
    customers: Annotated[int, typer.Option(help="How many customers.")] = 500,
) -> None:
    """Seed a realistic demo (idempotent: a second run changes nothing)."""
    setup_django()
    from wowdesk.core.errors import ServiceError
    from wowdesk.demo.seed import DemoSize, seed_demo

    try:
        seed_demo(DemoSize(customers=customers, conversations=conversations), seed=seed)
    except ServiceError as exc:
        fail(f"{exc.field}: {exc.message}" if exc.field else exc.message)


@app.command("kb-train-intents")
def kb_train_intents(
    brand: Annotated[
        str | None, typer.Option(help="Only this brand (its slug); default every brand.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Retrain even when the data did not change.")] = False,
) -> None:
    """Train the answer bot's intent models from the brands' articles and resolved conversations."""
    setup_django()
    from rich.progress import Progress

    from wowdesk.core.models import Brand
    from wowdesk.knowledge import intents

    if brand is not None:
        found = Brand.objects.filter(slug=brand).values_list("pk", flat=True).first()
        if found is None:
            fail(f"brand: no brand with the slug {brand!r}")
        ids = [int(found)]  # type: ignore[arg-type]
    else:
        ids = list(Brand.objects.order_by("pk").values_list("pk", flat=True))
    names = dict(Brand.objects.filter(pk__in=ids).values_list("pk", "slug"))
    results: dict[int, bool] = {}
    with Progress() as progress:
        task = progress.add_task("Training intent models", total=len(ids))
        for brand_id in ids:
            progress.update(task, description=f"Training intents: {names.get(brand_id)}")
            results[brand_id] = intents.train_brand(brand_id, force=force) is not None
            progress.advance(task)
    for brand_id, trained in results.items():
        status = "trained" if trained else "no intent-labelled articles"
        typer.echo(f"{names.get(brand_id)}: {status}")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The agent's email (created if missing).")],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin.")] = "agent",
    name: Annotated[str, typer.Option(help="The agent's name, if created.")] = "",
    brand: Annotated[
        str | None,
        typer.Option(help="Brand slug the agent works for, if created (default: the first)."),
    ] = None,
) -> None:
    """Create an API token; the token alone is printed on the last line."""
    setup_django()
    from wowdesk.core.errors import ServiceError
    from wowdesk.core.models import Brand, Role
    from wowdesk.core.services import ensure_agent_with_token

    if role not in Role.values:
        fail(f"unknown role {role!r}: one of {', '.join(Role.values)}")
    b = None
    if brand is not None:
        b = Brand.objects.filter(slug=brand).first()
        if b is None:
            slugs = ", ".join(Brand.objects.values_list("slug", flat=True))
            fail(f"no brand with slug {brand!r} (brands: {slugs or 'none'})")
    try:
        agent, raw = ensure_agent_with_token(email=email, role=role, name=name, brand=b)
    except ServiceError as exc:
        fail(f"{exc.field}: {exc.message}" if exc.field else exc.message)
        return
    typer.echo(f"token for {agent.user.email} ({agent.role}); it is shown only once:", err=True)
    typer.echo(raw)


@token_app.command("revoke")
def token_revoke(
    prefix: Annotated[str, typer.Argument(help="The token's first 10 characters.")],
) -> None:
    """Revoke a token by its prefix."""
    setup_django()
    from wowdesk.core.models import ApiToken
    from wowdesk.core.services import revoke_token

    tokens = list(ApiToken.objects.filter(prefix=prefix[:10], revoked_at__isnull=True))
    if len(tokens) != 1:
        fail(f"{len(tokens)} active tokens start with {prefix[:10]!r}")
    revoke_token(tokens[0], actor=None)
    typer.echo(f"revoked {tokens[0].prefix}…")


@agent_app.command("add")
def agent_add(
    email: Annotated[str, typer.Option(help="Login email.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[str | None, typer.Option(help="Password for the web login.")] = None,
    role: Annotated[str, typer.Option(help="agent, supervisor or admin.")] = "agent",
    languages: Annotated[str, typer.Option(help="Comma-separated, e.g. de,en.")] = "",
    skills: Annotated[str, typer.Option(help="Comma-separated skills.")] = "",
    timezone: Annotated[str, typer.Option(help="IANA zone, e.g. Europe/Berlin.")] = "UTC",
    capacity: Annotated[
        str,
        typer.Option(help='Open conversations at once: "10", or per channel "chat=3,email=10".'),
    ] = "10",
    shift: Annotated[
        list[str] | None,
        typer.Option(
            help='Weekly shift in the agent\'s own time zone, e.g. "mon-fri 08:00-16:00" '
            "(repeatable; may cross midnight)."
        ),
    ] = None,
    brand: Annotated[str | None, typer.Option(help="Brand slug (default: the first).")] = None,
    site: Annotated[str | None, typer.Option(help="Site name.")] = None,
) -> None:
    """Add an agent."""
    setup_django()
    from django.db import transaction

    from wowdesk.core.errors import ServiceError
    from wowdesk.core.models import Brand, Role, Site
    from wowdesk.core.services import AgentInput, create_agent, default_brand, parse_capacity

    if role not in Role.values:
        fail(f"unknown role {role!r}: one of {', '.join(Role.values)}")
    b = Brand.objects.filter(slug=brand).first() if brand else default_brand()
    if b is None:
        fail(f"no brand with slug {brand!r}")
    site_id = None
    if site:
        s = Site.objects.filter(name=site).first()
        if s is None:
            fail(f"no site named {site!r}")
        site_id = s.pk if s else None
    try:
        total, per_channel = parse_capacity(capacity)
        with transaction.atomic():
            agent = create_agent(
                AgentInput(
                    email=email,
                    name=name,
                    password=password,
                    role=role,
                    languages=tuple(languages.split(",")),
                    skills=tuple(skills.split(",")),
                    timezone=timezone,
                    site_id=site_id,
                    capacity=total,
                    channel_capacity=per_channel,
                    shifts=tuple(shift or ()),
                ),
                brands=[b] if b else [],
            )
    except ServiceError as exc:
        fail(f"{exc.field}: {exc.message}" if exc.field else exc.message)
        return
    typer.echo(f"agent {agent.pk} {agent.user.email} ({agent.role}) added")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run any Django management command (e.g. ``wowdesk manage createsuperuser``)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wowdesk manage", *ctx.args])


def main() -> None:
    app(prog_name="wowdesk")


if __name__ == "__main__":
    main()
