using System.Diagnostics;

namespace Maas.EndToEnd.Tests.Infrastructure;

/// <summary>Waits for a <c>maas serve</c> child process to answer <c>/v2/health/ready</c>.</summary>
internal static class ServerProcessReadiness
{
    /// <summary>Polls readiness for up to two minutes; fails at once, with the process's log, when it exits.</summary>
    public static async Task WaitAsync(Process process, HttpClient client, string name, Func<string> log)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}:\n{log()}");
            }

            try
            {
                using var response = await client.GetAsync("/v2/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{name} did not become ready:\n{log()}");
    }
}
