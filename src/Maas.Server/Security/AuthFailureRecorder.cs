using System.Collections.Concurrent;
using System.Globalization;
using Maas.Registry.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Maas.Server.Security;

/// <summary>Writes authentication failures to the audit log, at most one record per remote address per interval
/// (<see cref="AuthOptions.FailureAuditIntervalSeconds"/>); that record counts the failures left out before it.</summary>
/// <remarks>A flood of bad requests must not turn into a flood of database writes; every failure is still logged.</remarks>
internal sealed class AuthFailureRecorder(IAuditTrail audit, IOptions<AuthOptions> options, TimeProvider time, ILogger<AuthFailureRecorder> logger)
{
    public const string Action = "auth.failure";
    private const int MaxTracked = 10_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public async Task RecordAsync(string who, string method, string path, string address, string reason, CancellationToken cancellationToken)
    {
        SecurityLog.AuthenticationFailed(logger, method, path, address, reason);
        var now = time.GetUtcNow();
        var interval = TimeSpan.FromSeconds(options.Value.FailureAuditIntervalSeconds);
        if (_windows.Count >= MaxTracked)
        {
            _windows.Clear();
        }

        var window = _windows.GetOrAdd(address, _ => new Window());
        int suppressed;
        lock (window)
        {
            if (window.LastWritten is { } last && now - last < interval)
            {
                window.Suppressed++;
                return;
            }

            suppressed = window.Suppressed;
            window.Suppressed = 0;
            window.LastWritten = now;
        }

        var detail = $"{method} {path}: {reason}"
            + (suppressed == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (+{suppressed} earlier failures from this address not recorded)"));
        try
        {
            await audit.WriteAsync(who, Action, "-", detail, address, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SecurityLog.FailureAuditFailed(logger, ex);
        }
    }

    private sealed class Window
    {
        public DateTimeOffset? LastWritten { get; set; }

        public int Suppressed { get; set; }
    }
}
