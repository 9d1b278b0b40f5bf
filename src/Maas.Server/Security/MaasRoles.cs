namespace Maas.Server.Security;

/// <summary>The four roles a key or token can have.</summary>
public static class MaasRoles
{
    public const string Admin = "admin";
    public const string Publisher = "publisher";
    public const string Inference = "inference";
    public const string Viewer = "viewer";

    public static IReadOnlyList<string> All { get; } = [Admin, Publisher, Inference, Viewer];

    public static bool IsValid(string? role) => role is Admin or Publisher or Inference or Viewer;
}
