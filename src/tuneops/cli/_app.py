"""The `tuneops` command: a Typer app with one module per command group."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape

from tuneops._internal._errors import ConfigError, TuneopsError
from tuneops._internal._logging import configure_cli_logging
from tuneops.cli._console import console, err_console

app = typer.Typer(
    name="tuneops",
    help="Tune models and run them in production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def handle_errors(command: F) -> F:
    """Map errors to exit codes: 2 for bad input, 1 for everything else."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            _print_error(exc)
            raise typer.Exit(EXIT_USAGE) from exc
        except TuneopsError as exc:
            _print_error(exc)
            raise typer.Exit(EXIT_INTERNAL) from exc

    return wrapper  # type: ignore[return-value]


def _print_error(exc: Exception) -> None:
    # Messages quote user text and commands like pip install 'tuneops[xlsx]':
    # escaped, so rich does not read their brackets as markup.
    message = f"[bold red]Error:[/] {escape(str(exc))}"
    err_console.print(message, markup=True, soft_wrap=True)


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log DEBUG lines too.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Log warnings only.")
    ] = False,
) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    configure_cli_logging(level, console)
