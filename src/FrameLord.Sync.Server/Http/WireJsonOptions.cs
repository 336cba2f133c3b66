using System.Text.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Http;

/// <summary>
/// Makes the minimal APIs' JSON options (<c>Microsoft.AspNetCore.Http.Json.JsonOptions</c>) the wire
/// contract's: typed results (<c>TypedResults.Ok</c>, <c>Created</c>) serialize with these options, and
/// must write the very bytes <see cref="SyncJsonContext"/> writes. The framework's defaults differ where
/// it shows on the wire: camelCase names, and a relaxed encoder that leaves <c>+</c>, <c>&lt;</c> and
/// non-ASCII characters unescaped (base64 Yjs updates and entity text would change bytes); and
/// <c>MaxDepth</c> bounds writing as well as reading. So every setting is copied from the context's
/// own options, and its metadata comes first in the resolver chain. The OpenAPI schemas are generated
/// from the same options, so they describe what the wire accepts (numbers never as strings).
/// </summary>
internal static class WireJsonOptions
{
    public static void Apply(JsonSerializerOptions target)
    {
        var wire = SyncJsonContext.Default.Options;
        target.TypeInfoResolverChain.Insert(0, SyncJsonContext.Default);
        target.PropertyNamingPolicy = wire.PropertyNamingPolicy;
        target.DictionaryKeyPolicy = wire.DictionaryKeyPolicy;
        target.PropertyNameCaseInsensitive = wire.PropertyNameCaseInsensitive;
        target.Encoder = wire.Encoder;
        target.NumberHandling = wire.NumberHandling;
        target.DefaultIgnoreCondition = wire.DefaultIgnoreCondition;
        target.IgnoreReadOnlyProperties = wire.IgnoreReadOnlyProperties;
        target.IgnoreReadOnlyFields = wire.IgnoreReadOnlyFields;
        target.IncludeFields = wire.IncludeFields;
        target.MaxDepth = wire.MaxDepth;
        target.WriteIndented = wire.WriteIndented;
        target.AllowDuplicateProperties = wire.AllowDuplicateProperties;
        target.AllowTrailingCommas = wire.AllowTrailingCommas;
        target.AllowOutOfOrderMetadataProperties = wire.AllowOutOfOrderMetadataProperties;
        target.ReadCommentHandling = wire.ReadCommentHandling;
        target.UnmappedMemberHandling = wire.UnmappedMemberHandling;
        target.UnknownTypeHandling = wire.UnknownTypeHandling;
        target.PreferredObjectCreationHandling = wire.PreferredObjectCreationHandling;
        target.RespectNullableAnnotations = wire.RespectNullableAnnotations;
        target.RespectRequiredConstructorParameters = wire.RespectRequiredConstructorParameters;
        target.ReferenceHandler = wire.ReferenceHandler;
    }
}
