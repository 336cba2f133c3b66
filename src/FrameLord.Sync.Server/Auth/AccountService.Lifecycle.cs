using System.Security.Claims;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Http;
using FrameLord.Sync.Server.Storage;
using Microsoft.AspNetCore.Identity;

namespace FrameLord.Sync.Server.Auth;

internal sealed partial class AccountService
{
    /// <summary>
    /// <c>POST /auth/password</c>: with the current password confirmed, sets the new one and revokes every
    /// device but the caller's. A wrong current password is 403 <c>INVALID_CREDENTIALS</c> (not 401: the
    /// caller's token is fine, and a client must not take it for an expired one) and counts as a failed login.
    /// </summary>
    public async Task ChangePasswordAsync(ClaimsPrincipal caller, ChangePasswordRequest request, CancellationToken cancellationToken)
    {
        var user = await ConfirmPasswordAsync(caller, request.CurrentPassword, cancellationToken);
        var password = ValidNewPassword(request.NewPassword, "new_password");
        var hash = await _hashGate.RunAsync(() => _hasher.HashPassword(user, password), cancellationToken);
        var revoked = await _store.ChangePasswordAsync(user.UserId, hash, caller.FindFirstValue(TokenService.DeviceClaim), cancellationToken)
            ?? throw new ApiException(401, ErrorCodes.Unauthorized, "A valid access token is required.");
        _sessions.Revoked(user.UserId, revoked);
    }

    /// <summary><c>DELETE /account</c>: with the password confirmed, deletes the user and every row of theirs.</summary>
    public async Task DeleteAsync(ClaimsPrincipal caller, DeleteAccountRequest request, CancellationToken cancellationToken)
    {
        var user = await ConfirmPasswordAsync(caller, request.Password, cancellationToken);
        await _store.DeleteUserAsync(user.UserId, cancellationToken);
        _sessions.UserDeleted(user.UserId);
    }

    private async Task<UserRecord> ConfirmPasswordAsync(ClaimsPrincipal caller, string? password, CancellationToken cancellationToken)
    {
        var user = await _store.FindUserByIdAsync(caller.UserId(), cancellationToken)
            ?? throw new ApiException(401, ErrorCodes.Unauthorized, "A valid access token is required.");
        // A stolen access token must not become a way to guess the password: the login counters apply.
        await _failedLogins.ThrowIfLockedAsync(user.Email, cancellationToken);
        var candidate = password is { Length: <= MaxPasswordLength } p ? p : "";
        var verdict = await _hashGate.RunAsync(() => _hasher.VerifyHashedPassword(user, user.PasswordHash, candidate), cancellationToken);
        if (verdict == PasswordVerificationResult.Failed)
        {
            await _failedLogins.RecordFailureAsync(user.Email, CancellationToken.None);
            throw new ApiException(403, ErrorCodes.InvalidCredentials, "The password is wrong.");
        }

        return user;
    }

    /// <summary>
    /// A password with control characters or unpaired surrogates cannot be typed again (and the latter do not
    /// hash as UTF-8 unambiguously): refused when set. Verification refuses nothing: such a password simply does not match.
    /// </summary>
    private static string ValidNewPassword(string? password, string field) =>
        password is { Length: >= MinPasswordLength and <= MaxPasswordLength } && TextRules.IsPlainText(password)
            ? password
            : throw ApiException.Validation($"{field} must be {MinPasswordLength} to {MaxPasswordLength} characters, without control characters.");
}
