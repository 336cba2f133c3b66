using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Tests.Http;

/// <summary>
/// Typed results serialize with the minimal APIs' JSON options; the server makes those the wire
/// contract's, so a typed result writes the bytes the contract's context writes (what the endpoints
/// wrote when they passed the context's type info themselves).
/// </summary>
public sealed class WireJsonOptionsTests
{
    /// <summary>The minimal APIs' JSON options as the server composes them, in a provider of their own.</summary>
    private static async Task<IServiceProvider> AppServicesAsync()
    {
        var builder = ConfigurationHosting.CreateSyncBuilder([]);
        builder.AddSyncHttp();
        await using var app = builder.Build();
        var options = Options.Create(app.Services.GetRequiredService<IOptions<JsonOptions>>().Value);
        return new ServiceCollection().AddLogging().AddSingleton(options).BuildServiceProvider();
    }

    [Fact]
    public async Task TheHttpJsonOptions_HaveEverySettingOfTheWireContext()
    {
        var http = (await AppServicesAsync()).GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var wire = SyncJsonContext.Default.Options;
        foreach (var property in typeof(JsonSerializerOptions).GetProperties())
        {
            if (property.GetIndexParameters().Length > 0
                || property.Name is nameof(JsonSerializerOptions.TypeInfoResolver) or nameof(JsonSerializerOptions.TypeInfoResolverChain)
                    or nameof(JsonSerializerOptions.IsReadOnly) or nameof(JsonSerializerOptions.Converters))
            {
                continue;
            }

            Assert.True(Equals(property.GetValue(wire), property.GetValue(http)),
                $"{property.Name}: the wire context has {property.GetValue(wire)}, the HTTP options {property.GetValue(http)}");
        }

        Assert.Equal(wire.Converters.Count, http.Converters.Count);
        // The wire context answers for its types ahead of the reflection-based resolver (other contexts,
        // such as the framework's problem details, may come first: they hold other types).
        var chain = http.TypeInfoResolverChain.ToList();
        var wireAt = chain.IndexOf(SyncJsonContext.Default);
        Assert.True(wireAt >= 0, "the wire context is not in the resolver chain");
        Assert.DoesNotContain(chain.Take(wireAt), resolver => resolver is DefaultJsonTypeInfoResolver);
    }

    public static TheoryData<string> Samples => new() { "auth", "push", "pull", "conflicts", "resolve", "document", "devices" };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task ATypedResult_WritesTheBytesOfTheWireContext(string sample)
    {
        var services = await AppServicesAsync();
        var (result, expected) = sample switch
        {
            "auth" => Case(Sample<AuthResponse>("""{"user_id":"usr_1","contact_zero_id":"cnt_0","access_token":"a.b+c/d=","expires_in":3600,"refresh_token":null}"""), SyncJsonContext.Default.AuthResponse),
            "push" => Case(Sample<PushResponse>(PushJson), SyncJsonContext.Default.PushResponse),
            "pull" => Case(Sample<PullResponse>(PullJson), SyncJsonContext.Default.PullResponse),
            "conflicts" => Case(Sample<ConflictList>($$"""{"conflicts":[{{ConflictJson}}],"cursor":"c+1","has_more":true}"""), SyncJsonContext.Default.ConflictList),
            "resolve" => Case(Sample<ResolveConflictResponse>($$"""{"entity":{{EntityJson}},"sync_version":9}"""), SyncJsonContext.Default.ResolveConflictResponse),
            "document" => Case(new DocumentSyncResponse { Updates = [0xfb, 0xff, 0x3e, 0x00], NewStateVector = [0xf8, 0x3f], SyncVersion = 3 }, SyncJsonContext.Default.DocumentSyncResponse),
            "devices" => Case(Sample<DeviceList>("""{"devices":[{"device_id":"dev_<1>","device_name":"Zoë's + phone","created_at":"2025-12-05T10:30:00.123+01:00","last_seen_at":"2025-12-05T10:31:00Z"}]}"""), SyncJsonContext.Default.DeviceList),
            _ => throw new ArgumentOutOfRangeException(nameof(sample)),
        };

        var context = new DefaultHttpContext { RequestServices = services };
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);

        Assert.Equal(expected, Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    private static (IResult Result, string Expected) Case<T>(T value, JsonTypeInfo<T> type) =>
        (TypedResults.Ok(value), Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, type)));

    private static T Sample<T>(string json) => JsonSerializer.Deserialize<T>(json, SyncJsonContext.Default.Options)!;

    /// <summary>Text the default encoder escapes and a relaxed one would not, nulls, numbers and nesting.</summary>
    private const string EntityJson = """{"id":"cnt_1","name":"Zoë <b>&amp;</b> + 'x' \u2028 \ud83d\ude00","email":null,"tags":["a+b",1.50,{"deep":[true,false,null]}]}""";

    private const string PushJson = $$$"""
        {"successful":[{"change_id":"c1","entity_type":"contact","entity_id":"cnt_1","sync_version":2}],
         "failed":[{"change_id":"c2","entity_type":"contact","entity_id":"cnt_<2>","error":{"code":"ENTITY_TOO_LARGE","message":"Über 'the' <limit> + more."}}],
         "conflicts":[{{{ConflictJson}}}]}
        """;

    private const string ConflictJson = $$"""
        {"conflict_id":"cfl_1","change_id":"c1","entity_type":"contact","entity_id":"cnt_1","fields":["name"],"resolution":"remote_won",
         "needs_review":false,"winner":{{EntityJson}},"local":{"name":"Zoë"},"remote":{"name":"<b>"},"status":"auto_resolved"}
        """;

    private const string PullJson = $$"""
        {"changes":[{"entity_type":"contact","entity_id":"cnt_1","operation":"update","data":{{EntityJson}},"sync_version":2,
          "updated_at":"2025-12-05T10:30:00Z","is_archived":false,"modified_by_device":"dev_+"}],
         "cursor":"abc+/=","has_more":false,"sync_timestamp":"2025-12-05T10:30:00.5+00:00","remaining":0}
        """;
}
