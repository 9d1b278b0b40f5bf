using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Logging;

/// <summary>Event ids identify a log message across the whole server (log queries, alerts), so each belongs to one
/// message, in its assembly's range.</summary>
public sealed class EventIdTests
{
    /// <summary>The range of event ids each assembly's <c>[LoggerMessage]</c> declarations use.</summary>
    private static readonly Dictionary<string, (int First, int Last)[]> Ranges = new(StringComparer.Ordinal)
    {
        ["Maas.Server"] = [(1000, 1099), (5000, 5999)],
        ["Maas.Registry"] = [(1100, 1199), (6000, 6999)],
        ["Maas.Engines.Onnx"] = [(2000, 2099)],
        ["Maas.Engines.Llama"] = [(2100, 2199), (7000, 7099)],
        ["Maas.Serving"] = [(3000, 3999)],
        ["Maas.Jobs"] = [(4000, 4099)],
    };

    [Fact]
    public void LoggerMessages_AllAssemblies_NoEventIdUsedTwice()
    {
        var messages = LoggerMessages();

        var duplicates = messages.GroupBy(m => m.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();
        Assert.True(messages.Count > 30, $"Only {messages.Count} [LoggerMessage] methods found: is an assembly missing?");
        Assert.True(duplicates.Count == 0, "Event ids used more than once: " + string.Join("; ", duplicates));
    }

    [Fact]
    public void LoggerMessages_AllAssemblies_EventIdInTheAssemblysRange()
    {
        var outside = LoggerMessages()
            .Where(m => !Ranges.TryGetValue(m.Assembly, out var ranges) || !ranges.Any(r => m.EventId >= r.First && m.EventId <= r.Last))
            .Select(m => $"{m.Method} ({m.Assembly}): {m.EventId}")
            .ToList();

        Assert.True(outside.Count == 0, "Event ids outside their assembly's range (or an assembly without one): " + string.Join("; ", outside));
    }

    private static List<(string Assembly, string Method, int EventId)> LoggerMessages()
    {
        var files = Directory.GetFiles(AppContext.BaseDirectory, "maas*.dll", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive })
            .Where(f => !Path.GetFileName(f).Equals("Maas.UnitTests.dll", StringComparison.OrdinalIgnoreCase));
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return [.. files.Select(f => Assembly.Load(AssemblyName.GetAssemblyName(f)))
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(All))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Method.DeclaringType!.Assembly.GetName().Name!, $"{m.Method.DeclaringType!.FullName}.{m.Method.Name}", m.Attribute!.EventId))];
    }
}
