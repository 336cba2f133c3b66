using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using Microsoft.AspNetCore.Http.Features;

namespace FrameLord.Sync.Server.Http;

/// <summary>
/// Enforces <c>Limits:MaxRequestBodyBytes</c> on the bytes as they arrive on the wire, before gzip is
/// undone. Kestrel's own cap is raised to <c>Limits:MaxDiscardedBodyBytes</c>: Kestrel refuses to
/// drain a body over its cap, closes the socket with the client's bytes unread, and the operating
/// system then resets the connection, so the client (Node's fetch, a browser, HttpClient), still
/// sending, loses the 413 that was already on its way. Under the raised cap Kestrel reads the rest
/// of the body after the 413 and discards it, and the answer arrives.
/// </summary>
internal static class WireBodyLimit
{
    public static IApplicationBuilder UseWireBodyLimit(this IApplicationBuilder app, long maxBytes) =>
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.ContentLength > maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            if (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: true })
            {
                // Chunked: counted as it is read.
                request.Body = new LimitedReadStream(request.Body, maxBytes);
            }

            return next(context);
        });

    public static ApiException TooLarge(long maxBytes) =>
        new(413, ErrorCodes.PayloadTooLarge, $"The request body is over the {maxBytes}-byte limit.");

    /// <summary>Reads through to the inner stream and fails with 413 once more than the limit has come.</summary>
    private sealed class LimitedReadStream(Stream inner, long maxBytes) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        private int Count(int read)
        {
            _read += read;
            return _read > maxBytes ? throw TooLarge(maxBytes) : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
