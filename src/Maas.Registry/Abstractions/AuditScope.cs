namespace Maas.Registry.Abstractions;

/// <summary>The remote address of the request being served, carried to every audit record it causes.</summary>
/// <remarks>An <see cref="AsyncLocal{T}"/> flows with the request's async calls, so the registry's methods keep their
/// signatures (actor only) and still record "from which address"; work outside a request records none.</remarks>
public static class AuditScope
{
    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The address of the current request, or null.</summary>
    public static string? Address
    {
        get => Current.Value;
        set => Current.Value = value;
    }
}
