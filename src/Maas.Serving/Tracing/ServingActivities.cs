using System.Diagnostics;
using Maas.Core.Models;

namespace Maas.Serving.Tracing;

/// <summary>Starts and ends the serving layer's spans (see <see cref="MaasTracing"/>).</summary>
internal static class ServingActivities
{
    public const string Request = "maas.request";
    public const string Route = "maas.route";
    public const string Queue = "maas.queue";
    public const string Batch = "maas.batch";
    public const string Engine = "maas.engine";
    public const string Generate = "maas.generate";

    public static readonly ActivitySource Source = new(MaasTracing.ActivitySourceName, typeof(ServingActivities).Assembly.GetName().Version?.ToString());

    /// <summary>Starts a span that does not become <see cref="Activity.Current"/>: its end is decided elsewhere (another
    /// thread, a callback), so the caller's flow must keep its own current span.</summary>
    public static Activity? StartDetached(string name, string model, int version)
    {
        var activity = StartDetached(name, default);
        activity?.SetTag("maas.model", model);
        activity?.SetTag("maas.model.version", version);
        return activity;
    }

    /// <summary>As <see cref="StartDetached(string, string, int)"/>, under <paramref name="parent"/> (default: the
    /// current span).</summary>
    public static Activity? StartDetached(string name, ActivityContext parent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = parent == default
            ? Source.StartActivity(name, ActivityKind.Internal)
            : Source.StartActivity(name, ActivityKind.Internal, parent);
        Activity.Current = previous;
        return activity;
    }

    /// <summary>Ends a span started with <c>StartDetached</c> from any thread, leaving that thread's current span
    /// as it was.</summary>
    public static void EndDetached(Activity activity, Exception? error)
    {
        var current = Activity.Current;
        if (error is not null)
        {
            Fail(activity, error);
        }

        activity.Stop();
        Activity.Current = current;
    }

    /// <summary>Starts the span of one engine call serving <paramref name="requests"/> (the contexts the requests were
    /// queued under, oldest first): a child of the oldest, linked to all, so each request's trace leads to it.</summary>
    public static Activity? StartBatch(string model, int version, IReadOnlyList<ActivityContext> requests, int rows)
    {
        if (requests.Count == 0 || !Source.HasListeners())
        {
            return null;
        }

        var parent = requests.Count > 0 ? requests[0] : default;
        if (parent == default)
        {
            // Otherwise the worker's current span (whatever flowed into it when it started) would adopt the batch.
            Activity.Current = null;
        }

        var links = new List<ActivityLink>(requests.Count);
        foreach (var context in requests)
        {
            if (context != default)
            {
                links.Add(new ActivityLink(context));
            }
        }

        var activity = Source.StartActivity(Batch, ActivityKind.Internal, parent, links: links);
        if (activity is not null)
        {
            activity.SetTag("maas.model", model);
            activity.SetTag("maas.model.version", version);
            activity.SetTag("maas.batch.requests", requests.Count);
            activity.SetTag("maas.batch.rows", rows);
        }

        return activity;
    }

    /// <summary>Starts the <c>maas.request</c> span of one inference call on <paramref name="reference"/>.</summary>
    public static Activity? StartRequest(ModelReference reference)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(Request, ActivityKind.Internal);
        activity?.SetTag("maas.model.reference", reference.ToString());
        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="error"/>'s type and message.</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.SetTag("error.type", error is Core.Errors.MaasException maas ? maas.Kind.ToString() : error.GetType().FullName);
    }
}
