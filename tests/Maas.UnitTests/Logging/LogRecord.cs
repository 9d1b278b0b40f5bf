using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Logging;

/// <summary>One entry seen by <see cref="RecordingLoggerProvider"/>.</summary>
internal sealed record LogRecord(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);
