using System.Text.Json;

namespace Maas.Jobs;

/// <summary>What a running job sees: its id, request, a scratch folder and a way to report progress.</summary>
public sealed class JobContext
{
    private readonly Action<double, string> _report;

    public JobContext(string jobId, JobRequest request, string workDirectory, Action<double, string> report)
    {
        JobId = jobId;
        Request = request;
        WorkDirectory = workDirectory;
        _report = report;
    }

    public string JobId { get; }

    public JobRequest Request { get; }

    public JsonElement Parameters => Request.Parameters;

    public string Actor => Request.Actor;

    /// <summary>An empty folder for the job's files, deleted by the runner when the job ends.</summary>
    public string WorkDirectory { get; }

    /// <summary>Reports progress: <paramref name="fraction"/> of the whole job done (0..1) and the current stage
    /// (e.g. <c>quantizing weights</c>, <c>measuring throughput</c>). Cheap; the runner throttles what it stores.</summary>
    public void ReportProgress(double fraction, string stage) => _report(Math.Clamp(fraction, 0, 1), stage);
}
