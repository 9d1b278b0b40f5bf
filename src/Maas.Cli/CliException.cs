namespace Maas.Cli;

/// <summary>A failure the user can fix (a missing file, a malformed manifest); its message is shown as is.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
