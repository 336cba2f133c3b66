using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Auth;

/// <summary>
/// Signup and login (DESIGN 3.1). Passwords are hashed with ASP.NET Core Identity's PBKDF2
/// hasher (HMAC-SHA512, salted, iterations from <see cref="AuthOptions.PasswordHashIterations"/>).
/// </summary>
internal sealed partial class AccountService
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 1024;
    public const int MaxEmailLength = 254;
    public const int MaxDisplayNameLength = 200;

    private readonly ISyncStore _store;
    private readonly IIdGenerator _ids;
    private readonly TimeProvider _time;
    private readonly PasswordHasher<UserRecord> _hasher;
    private readonly string _dummyHash;
    private readonly PasswordHashGate _hashGate;
    private readonly FailedLoginLimiter _failedLogins;
    private readonly SessionService _sessions;

    public AccountService(
        ISyncStore store, IIdGenerator ids, TimeProvider time, AuthOptions options,
        PasswordHashGate hashGate, FailedLoginLimiter failedLogins, SessionService sessions)
    {
        _store = store;
        _sessions = sessions;
        _hashGate = hashGate;
        _failedLogins = failedLogins;
        _ids = ids;
        _time = time;
        _hasher = new PasswordHasher<UserRecord>(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = options.PasswordHashIterations,
        }));
        // Verifying against this for unknown emails makes a login for an unknown account cost as
        // much as one for a known account, so timing does not reveal which emails exist.
        _dummyHash = _hasher.HashPassword(null!, "not-a-password-of-anyone");
    }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public async Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken)
    {
        var email = NormalizeEmail(request.Email ?? "");
        if (email.Length is 0 or > MaxEmailLength || email.IndexOf('@', StringComparison.Ordinal) is <= 0 || email.EndsWith('@')
            || email.Any(char.IsWhiteSpace) || !TextRules.IsPlainText(email))
        {
            throw ApiException.Validation("email must be an email address.");
        }

        var password = ValidNewPassword(request.Password, "password");

        var displayName = (request.DisplayName ?? "").Trim();
        if (displayName.Length > MaxDisplayNameLength || !TextRules.IsPlainText(displayName))
        {
            throw ApiException.Validation($"display_name must be at most {MaxDisplayNameLength} characters, without control characters.");
        }

        _sessions.ValidateDevice(request.DeviceId, request.DeviceName);

        var userId = _ids.NewId("usr");
        var user = new UserRecord(userId, email, "", displayName, _ids.NewId("cnt"), _time.GetUtcNow());
        user = user with { PasswordHash = await _hashGate.RunAsync(() => _hasher.HashPassword(user, password), cancellationToken) };
        if (!await _store.TryCreateUserAsync(user, cancellationToken))
        {
            throw new ApiException(409, ErrorCodes.EmailTaken, "An account with this email already exists.");
        }

        return await _sessions.StartAsync(user, request.DeviceId, request.DeviceName, cancellationToken);
    }

    public async Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken)
    {
        _sessions.ValidateDevice(request.DeviceId, request.DeviceName);
        var email = NormalizeEmail(request.Email ?? "");
        // Checked before any hashing: a locked email costs the server nothing more.
        await _failedLogins.ThrowIfLockedAsync(email, cancellationToken);
        // An email no signup could have stored is not looked up (PostgreSQL cannot even compare one holding NUL).
        var user = email.Length is > 0 and <= MaxEmailLength && TextRules.IsPlainText(email)
            ? await _store.FindUserByEmailAsync(email, cancellationToken) : null;
        var password = request.Password is { Length: <= MaxPasswordLength } p ? p : "";
        var verdict = await _hashGate.RunAsync(() => _hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? _dummyHash, password), cancellationToken);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            // Unknown emails count too, so the answer does not reveal which emails exist.
            await _failedLogins.RecordFailureAsync(email, CancellationToken.None); // counted even if the caller left
            throw new ApiException(401, ErrorCodes.InvalidCredentials, "Email or password is wrong.");
        }

        return await _sessions.StartAsync(user, request.DeviceId, request.DeviceName, cancellationToken);
    }
}
