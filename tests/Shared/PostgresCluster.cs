using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Maas.Tests.Shared;

/// <summary>A private PostgreSQL cluster for one test run: <c>initdb</c> in a temp folder, <c>pg_ctl start</c> on a free
/// loopback port, a fresh database per test (class) on demand; stopped and deleted on dispose.</summary>
/// <remarks>
/// Uses the Debian <c>postgresql</c> package's server binaries (<c>/usr/lib/postgresql/N/bin</c>, newest N; or the
/// folder in <c>MAAS_TEST_PG_BIN</c>). PostgreSQL refuses to run as root, so as root every server command runs as the
/// <c>postgres</c> user (<c>runuser</c>) in a folder that user owns. Durability is off (fsync, full page writes):
/// the data is thrown away anyway.
/// </remarks>
public sealed class PostgresCluster : IDisposable
{
    private const string Superuser = "maas";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly string? _runAs;
    private bool _stopped;

    public PostgresCluster()
    {
        BinDirectory = FindBinDirectory();
        _runAs = Environment.UserName == "root" || GetEuid() == 0 ? UnprivilegedUser() : null;
        Root = CreateRoot(_runAs);
        try
        {
            DataDirectory = Path.Combine(Root, "data");
            Run("initdb", "-D", DataDirectory, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
            Port = Start();
            AdminConnectionString = ConnectionString("postgres");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The folder of the server binaries used (initdb, pg_ctl, postgres).</summary>
    public string BinDirectory { get; }

    /// <summary>The temp folder holding the cluster's data, log and Unix socket.</summary>
    public string Root { get; }

    public string DataDirectory { get; } = string.Empty;

    public int Port { get; }

    /// <summary>Connects to the <c>postgres</c> maintenance database as the superuser.</summary>
    public string AdminConnectionString { get; } = string.Empty;

    /// <summary>The connection string of a database in this cluster (superuser, trust authentication, loopback TCP).</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database }.ConnectionString;

    /// <summary>Creates an empty database with a fresh name; returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        Execute($"CREATE DATABASE \"{name}\"");
        return ConnectionString(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/>, closing any connection still open to it.</summary>
    public void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)");
    }

    public void Dispose()
    {
        if (!_stopped && Port != 0)
        {
            _stopped = true;
            NpgsqlConnection.ClearAllPools();
            try
            {
                Run("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            }
            catch (InvalidOperationException)
            {
                // Already gone; the folder is deleted below either way.
            }
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(AdminConnectionString + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Starts the server on a free port; retries with another port when one was taken in between.</summary>
    private int Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePorts.Next();
            var options = string.Create(
                CultureInfo.InvariantCulture,
                $"-p {port} -k {Root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300");
            try
            {
                Run("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(Root, "server.log"), "-w", "-t", "60", "-o", options, "start");
                return port;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var path = Path.Combine(BinDirectory, program);
        if (_runAs is null)
        {
            start.FileName = path;
        }
        else
        {
            start.FileName = "runuser";
            foreach (var argument in new[] { "-u", _runAs, "--", path })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var (code, output) = RunProcess(start);
        if (code != 0)
        {
            var log = Path.Combine(Root, "server.log");
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : string.Empty;
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {code}: {output}\n{tail}");
        }
    }

    private static (int Code, string Output) RunProcess(ProcessStartInfo start)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{start.FileName} did not finish within {CommandTimeout}.");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string CreateRoot(string? runAs)
    {
        if (runAs is null)
        {
            return Directory.CreateTempSubdirectory("maas-pg-").FullName;
        }

        // Created by the unprivileged user itself, so it owns the folder initdb writes into.
        var start = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-u", runAs, "--", "mktemp", "-d", Path.Combine(Path.GetTempPath(), "maas-pg-XXXXXXXX") })
        {
            start.ArgumentList.Add(argument);
        }

        var (code, output) = RunProcess(start);
        return code == 0
            ? output.Trim()
            : throw new InvalidOperationException($"Could not create a folder as {runAs} for the test cluster: {output}");
    }

    private static string UnprivilegedUser()
    {
        var start = new ProcessStartInfo("id", "-u postgres") { RedirectStandardOutput = true, RedirectStandardError = true };
        return RunProcess(start).Code == 0
            ? "postgres"
            : throw new InvalidOperationException("Running as root, and there is no 'postgres' user to run the test cluster as (apt-get install postgresql creates it).");
    }

    private static string FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("MAAS_TEST_PG_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        const string Debian = "/usr/lib/postgresql";
        var versions = Directory.Exists(Debian)
            ? Directory.GetDirectories(Debian)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .ToList()
            : [];
        if (versions.Count > 0)
        {
            return Path.Combine(versions[0], "bin");
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return onPath ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin, PATH or MAAS_TEST_PG_BIN; install them: apt-get install -y postgresql.");
    }


    private static uint GetEuid()
    {
        try
        {
            var status = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = status?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } && uint.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var euid) ? euid : uint.MaxValue;
        }
        catch (IOException)
        {
            return uint.MaxValue;
        }
    }
}
