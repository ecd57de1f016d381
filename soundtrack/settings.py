"""Application settings, read from the environment (prefix SOUNDTRACK_) or a .env file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Install-wide settings. Per-user choices such as matching rules live in the database."""

    model_config = SettingsConfigDict(env_prefix="SOUNDTRACK_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Folder for the database and key file.")
    db_path: Path | None = Field(None, description="DuckDB file; defaults to DATA_DIR/soundtrack.duckdb.")
    user: str = Field("me", description="User that commands act for when --user is not given.")
    lock_timeout_s: float = Field(60.0, gt=0, description="Seconds to retry a locked database.")

    spotify_api_url: str = "https://api.spotify.com/v1"
    spotify_accounts_url: str = "https://accounts.spotify.com"
    strava_api_url: str = "https://www.strava.com/api/v3"
    strava_oauth_url: str = "https://www.strava.com/oauth"

    @property
    def database(self) -> Path:
        return self.db_path or self.data_dir / "soundtrack.duckdb"


@lru_cache
def get_settings() -> Settings:
    return Settings()
