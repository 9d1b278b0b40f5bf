using Microsoft.Extensions.Options;

namespace Maas.Server.Http;

/// <summary>Refuses to start with a limit that makes no sense, naming it.</summary>
internal sealed class ServerLimitsValidator : IValidateOptions<ServerLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerLimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
