using Maas.Core.Errors;
using Maas.Core.Models;
using Maas.Registry.Abstractions;

namespace Maas.Registry.Push;

/// <summary>Checks a push request before any byte is stored, so a bad request costs nothing.</summary>
internal static class PushValidator
{
    public static void Validate(PushRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateModelName(request.Model);
        ValidateActor(request.Actor);
        if (request.Files is null || request.Files.Count == 0)
        {
            throw MaasException.InvalidArgument($"A push to model '{request.Model}' needs at least one file.");
        }

        // Logical names are compared ignoring case: they may become file names on a case-insensitive disk later.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in request.Files)
        {
            if (file is null)
            {
                throw MaasException.InvalidArgument("A pushed file is missing.");
            }

            ValidateFileName(file.Name);
            if (file.Content is null || !file.Content.CanRead)
            {
                throw MaasException.InvalidArgument($"File '{file.Name}' has no readable content.");
            }

            if (!seen.Add(file.Name))
            {
                throw MaasException.InvalidArgument($"File name '{file.Name}' appears more than once in the push.");
            }
        }

        if (request.Alias is not null)
        {
            ValidateAlias(request.Alias);
        }

        if (request.Tags is not null)
        {
            ValidateTags(request.Tags);
        }

        if (request.Lineage is { } lineage)
        {
            if (lineage.Parents.Count == 0)
            {
                throw MaasException.InvalidArgument("Lineage needs at least one parent version.");
            }

            foreach (var parent in lineage.Parents)
            {
                if (!ModelNames.IsValid(parent.Model))
                {
                    throw MaasException.InvalidArgument($"Lineage parent model '{parent.Model}' is not valid: {ModelNames.Rule}");
                }

                if (parent.Version <= 0)
                {
                    throw MaasException.InvalidArgument("Lineage parent version must be a positive number.");
                }

                if (string.IsNullOrWhiteSpace(parent.Role) || parent.Role.Length > 64)
                {
                    throw MaasException.InvalidArgument($"Lineage parent {parent.Model}:{parent.Version} needs a role (e.g. '{LineageParent.SourceRole}') of at most 64 characters.");
                }
            }

            if (lineage.Parents.DistinctBy(p => (p.Model, p.Version)).Count() != lineage.Parents.Count)
            {
                throw MaasException.InvalidArgument("A lineage parent version appears more than once.");
            }

            if (lineage.JobId is { } jobId && (jobId.Length is 0 or > 64 || jobId.Any(char.IsWhiteSpace)))
            {
                throw MaasException.InvalidArgument($"Lineage job id '{jobId}' is not valid.");
            }

            if (string.IsNullOrWhiteSpace(lineage.Transform))
            {
                throw MaasException.InvalidArgument("Lineage needs the name of the transform that produced the version.");
            }
        }
    }

    public static void ValidateModelName(string? name)
    {
        if (!ModelNames.IsValid(name))
        {
            throw MaasException.InvalidArgument($"Model name '{name}' is not valid: {ModelNames.Rule}");
        }
    }

    public static void ValidateAlias(string? alias)
    {
        if (!ModelNames.IsValid(alias))
        {
            throw MaasException.InvalidArgument($"Alias '{alias}' is not valid: {ModelNames.Rule}");
        }
    }

    public static void ValidateActor(string? actor)
    {
        if (string.IsNullOrWhiteSpace(actor))
        {
            throw MaasException.InvalidArgument("A change needs an actor (who made it).");
        }
    }

    public static void ValidateTags(IReadOnlyDictionary<string, string> tags)
    {
        foreach (var (key, value) in tags)
        {
            if (string.IsNullOrWhiteSpace(key) || value is null)
            {
                throw MaasException.InvalidArgument("Tags need a non-empty key and a value.");
            }
        }
    }

    private static void ValidateFileName(string? name)
    {
        if (!ArtifactFileNames.IsValid(name))
        {
            throw MaasException.InvalidArgument(ArtifactFileNames.NotAllowed(name));
        }
    }
}
