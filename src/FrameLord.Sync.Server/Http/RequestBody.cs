using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;

namespace FrameLord.Sync.Server.Http;

/// <summary>
/// Reads and parses a JSON request body under the limits of DESIGN 8: at most
/// <c>Limits:MaxRequestBodyBytes</c> on the wire and after gzip decompression (413 above), at most
/// <c>Limits:MaxJsonDepth</c> deep, strict types (400 otherwise). Nothing is stored before this succeeds.
/// </summary>
internal static class RequestBody
{
    /// <summary>The first buffer; it doubles as bytes arrive, up to the limit.</summary>
    internal const int InitialBufferBytes = 16 * 1024;

    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, long maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        var request = context.Request;
        if (request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(415, ErrorCodes.UnsupportedMediaType, "Bodies are JSON (application/json).");
        }

        if (request.Headers.ContentEncoding.Count > 0)
        {
            // Whatever the decompression middleware did not unwrap is an encoding we do not accept.
            throw new ApiException(415, ErrorCodes.UnsupportedMediaType, "Only gzip-encoded bodies are accepted.");
        }

        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        // The buffer grows with the bytes that actually arrive: sized from Content-Length, a few hundred
        // slow clients that announce 10 MiB and send a byte a second would hold gigabytes.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Min(request.ContentLength ?? InitialBufferBytes, InitialBufferBytes), maxBytes) + 1);
        var length = 0;
        try
        {
            try
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (length > maxBytes)
                        {
                            throw TooLarge(maxBytes);
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                    if (length > maxBytes)
                    {
                        throw TooLarge(maxBytes);
                    }
                }
            }
            catch (InvalidDataException)
            {
                throw ApiException.Validation("The body is not valid gzip.");
            }

            if (length == 0)
            {
                throw ApiException.Validation("The body is empty; a JSON object is required.");
            }

            T? value;
            try
            {
                value = JsonSerializer.Deserialize(buffer.AsSpan(0, length), type);
            }
            catch (JsonException e)
            {
                throw ApiException.Validation(Describe(e));
            }

            return value ?? throw ApiException.Validation("The body must be a JSON object.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ApiException TooLarge(long maxBytes) =>
        new(413, ErrorCodes.PayloadTooLarge, $"The request body is over the {maxBytes}-byte limit.");

    private static string Describe(JsonException e)
    {
        // The serializer's messages name .NET types; clients get the JSON path and the kind of problem.
        var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "the body" : e.Path;
        var message = e.Message;
        if (message.Contains("maximum configured depth", StringComparison.Ordinal) || message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            return "The JSON is nested too deeply.";
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var at = message.IndexOf("including:", StringComparison.Ordinal);
            return at >= 0 ? $"Missing required field(s){message[(at + 10)..].TrimEnd('.')} at {where}." : $"A required field is missing at {where}.";
        }

        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return $"Duplicate property at {where}.";
        }

        return e.Path is null ? "The body is not valid JSON." : $"Invalid or ill-typed value at {where}.";
    }
}
