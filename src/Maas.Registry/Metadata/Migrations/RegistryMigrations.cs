namespace Maas.Registry.Metadata.Migrations;

/// <summary>The registry's schema history. Append new migrations; never edit a released one.</summary>
internal static class RegistryMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "initial schema", InitialSchema),
        new(2, "model deployment settings", DeploymentSettings),
        new(3, "jobs, multi-parent lineage, version reports", JobsAndLineage),
        new(4, "api keys, audit address", ApiKeys),
        new(5, "registry change feed, job leases", ChangeFeedAndJobLeases),
        new(6, "blob leases", BlobLeases),
        new(7, "storage key per blob", StorageKeys),
    ];

    /// <summary>API keys (only a salted hash of each secret is stored) and the remote address of audited requests.</summary>
    private static IReadOnlyList<string> ApiKeys(ISqlDialect dialect) =>
    [
        """
        CREATE TABLE api_keys (
            id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            models TEXT NOT NULL,
            salt TEXT NOT NULL,
            hash TEXT NOT NULL,
            display_prefix TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            expires_at TEXT NULL,
            revoked_at TEXT NULL,
            last_used_at TEXT NULL,
            requests_per_second DOUBLE PRECISION NULL,
            tokens_per_minute INTEGER NULL
        )
        """,
        "CREATE INDEX ix_api_keys_role ON api_keys (role, revoked_at)",
        "ALTER TABLE audit ADD COLUMN address TEXT NULL",
        "CREATE INDEX ix_audit_actor ON audit (actor, id)",
        "CREATE INDEX ix_audit_action ON audit (action, id)",
    ];

    /// <summary>Which storage key each blob is encrypted with (NULL: plain). Every blob stored before this migration was
    /// written plain, so existing ones are recorded as such.</summary>
    private static IReadOnlyList<string> StorageKeys(ISqlDialect dialect) =>
    [
        "CREATE TABLE blob_keys (sha256 TEXT NOT NULL PRIMARY KEY, key_id TEXT NULL, updated_at TEXT NULL)",
        "CREATE INDEX ix_blob_keys_key ON blob_keys (key_id)",
        "INSERT INTO blob_keys (sha256, key_id, updated_at) SELECT DISTINCT sha256, NULL, NULL FROM version_files",
    ];

    /// <summary>Leases on blobs a push has published but not yet referenced from a committed version: garbage collection on
    /// any replica skips a digest with an unexpired lease. The push's commit deletes its leases in the same transaction
    /// that inserts the version, so a blob is always referenced, leased, or collectable.</summary>
    private static IReadOnlyList<string> BlobLeases(ISqlDialect dialect) =>
    [
        """
        CREATE TABLE blob_leases (
            digest TEXT NOT NULL,
            holder TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            PRIMARY KEY (digest, holder)
        )
        """,
        "CREATE INDEX ix_blob_leases_holder ON blob_leases (holder)",
        "CREATE INDEX ix_blob_leases_expires ON blob_leases (expires_at)",
    ];

    /// <summary>The change feed other replicas poll (one row per committed registry change, pruned after a retention
    /// period), and what makes a job owned by one replica: its owner, a lease the owner renews, and a cancel request
    /// any replica may set.</summary>
    private static IReadOnlyList<string> ChangeFeedAndJobLeases(ISqlDialect dialect) =>
    [
        $"""
        CREATE TABLE registry_changes (
            id {dialect.IdentityPrimaryKey},
            kind TEXT NOT NULL,
            model TEXT NOT NULL,
            version INTEGER NULL,
            alias TEXT NULL,
            origin TEXT NOT NULL,
            at TEXT NOT NULL
        )
        """,
        "CREATE INDEX ix_registry_changes_at ON registry_changes (at)",
        "ALTER TABLE jobs ADD COLUMN owner TEXT NULL",
        "ALTER TABLE jobs ADD COLUMN lease_until TEXT NULL",
        "ALTER TABLE jobs ADD COLUMN cancel_requested_by TEXT NULL",
        "CREATE INDEX ix_jobs_owner ON jobs (owner, state)",
    ];

    /// <summary>Jobs; lineage as a table (a version may have several parents, each with a role) instead of the single
    /// parent columns, whose rows move over; the producing job and the measured report on each version.</summary>
    private static IReadOnlyList<string> JobsAndLineage(ISqlDialect dialect) =>
    [
        """
        CREATE TABLE jobs (
            id TEXT NOT NULL PRIMARY KEY,
            kind TEXT NOT NULL,
            parameters TEXT NOT NULL,
            state TEXT NOT NULL,
            progress DOUBLE PRECISION NOT NULL,
            stage TEXT NULL,
            actor TEXT NOT NULL,
            created_at TEXT NOT NULL,
            started_at TEXT NULL,
            finished_at TEXT NULL,
            result_model TEXT NULL,
            result_version INTEGER NULL,
            summary TEXT NULL,
            error TEXT NULL
        )
        """,
        "CREATE INDEX ix_jobs_state ON jobs (state, created_at)",
        "CREATE INDEX ix_jobs_created ON jobs (created_at)",
        """
        CREATE TABLE version_parents (
            version_id BIGINT NOT NULL REFERENCES versions (id),
            position INTEGER NOT NULL,
            parent_model TEXT NOT NULL,
            parent_version INTEGER NOT NULL,
            role TEXT NOT NULL,
            PRIMARY KEY (version_id, position)
        )
        """,
        "CREATE INDEX ix_version_parents_parent ON version_parents (parent_model, parent_version)",
        """
        INSERT INTO version_parents (version_id, position, parent_model, parent_version, role)
        SELECT id, 0, parent_model, parent_version, 'source' FROM versions
        WHERE parent_model IS NOT NULL AND parent_version IS NOT NULL AND transform IS NOT NULL
        """,
        "ALTER TABLE versions DROP COLUMN parent_model",
        "ALTER TABLE versions DROP COLUMN parent_version",
        "ALTER TABLE versions ADD COLUMN job_id TEXT NULL",
        "ALTER TABLE versions ADD COLUMN report TEXT NULL",
        "CREATE INDEX ix_versions_job ON versions (job_id)",
    ];

    /// <summary>Per-model deployment overrides (JSON of the set fields); one row per model, kept when versions go.</summary>
    private static IReadOnlyList<string> DeploymentSettings(ISqlDialect dialect) =>
    [
        """
        CREATE TABLE model_deployments (
            model_id BIGINT NOT NULL PRIMARY KEY REFERENCES models (id),
            overrides TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        )
        """,
    ];

    private static IReadOnlyList<string> InitialSchema(ISqlDialect dialect) =>
    [
        $"""
        CREATE TABLE models (
            id {dialect.IdentityPrimaryKey},
            name TEXT NOT NULL UNIQUE,
            description TEXT NULL,
            tags TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
        $"""
        CREATE TABLE versions (
            id {dialect.IdentityPrimaryKey},
            model_id BIGINT NOT NULL REFERENCES models (id),
            number INTEGER NOT NULL,
            manifest TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            parent_model TEXT NULL,
            parent_version INTEGER NULL,
            transform TEXT NULL,
            transform_params TEXT NULL,
            UNIQUE (model_id, number)
        )
        """,
        """
        CREATE TABLE version_files (
            version_id BIGINT NOT NULL REFERENCES versions (id),
            name TEXT NOT NULL,
            size BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (version_id, name)
        )
        """,
        "CREATE INDEX ix_version_files_sha256 ON version_files (sha256)",
        """
        CREATE TABLE aliases (
            model_id BIGINT NOT NULL REFERENCES models (id),
            alias TEXT NOT NULL,
            version_id BIGINT NOT NULL REFERENCES versions (id),
            PRIMARY KEY (model_id, alias)
        )
        """,
        "CREATE INDEX ix_aliases_version ON aliases (version_id)",
        $"""
        CREATE TABLE audit (
            id {dialect.IdentityPrimaryKey},
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            model TEXT NOT NULL,
            version INTEGER NULL,
            detail TEXT NULL
        )
        """,
        "CREATE INDEX ix_audit_model ON audit (model, id)",
    ];
}
