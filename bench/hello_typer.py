"""The baseline for `imr session next`: a bare typer hello-world in the same environment."""

import typer

app = typer.Typer()


@app.command()
def hello(name: str) -> None:
    print(f"Hej {name}")


if __name__ == "__main__":
    app()
