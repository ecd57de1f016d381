"""Application settings, read from the environment (prefix SOUNDTRACK_) or a .env file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Install-wide settings. Per-user choices such as matching rules live in the database."""

    model_config = SettingsConfigDict(
        env_prefix="SOUNDTRACK_", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(
        Path("data"), description="Folder for the database and key file."
    )
    db_path: Path | None = Field(
        None, description="DuckDB file; defaults to DATA_DIR/soundtrack.duckdb."
    )
    user: str = Field(
        "me", description="User that commands act for when --user is not given."
    )
    lock_timeout_s: float = Field(
        60.0, gt=0, description="Seconds to retry a locked database."
    )

    spotify_api_url: str = "https://api.spotify.com/v1"
    spotify_accounts_url: str = "https://accounts.spotify.com"
    strava_api_url: str = "https://www.strava.com/api/v3"
    strava_oauth_url: str = "https://www.strava.com/oauth"

    # App credentials from each platform's developer dashboard. Secrets come only from
    # the environment or .env, never from the database.
    spotify_client_id: str = ""
    spotify_client_secret: SecretStr = SecretStr("")
    strava_client_id: str = ""
    strava_client_secret: SecretStr = SecretStr("")
    strava_max_wait_s: float = Field(
        900.0,
        ge=0,
        description="Maximum wait, in seconds, for Strava's 15-minute rate-limit "
        "window to reset before a sync step ends with a message; 0 never waits.",
    )
    redirect_port: int = Field(
        8765, description="Port of the local OAuth redirect catcher."
    )

    secret_key: SecretStr | None = Field(
        None,
        description="Fernet key that encrypts stored tokens; default DATA_DIR/secret.key.",
    )

    @property
    def database(self) -> Path:
        return self.db_path or self.data_dir / "soundtrack.duckdb"

    @property
    def secret_key_file(self) -> Path:
        return self.data_dir / "secret.key"


@lru_cache
def get_settings() -> Settings:
    return Settings()
