// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IBridgeGateway
/// @notice Carries AGPU between chains without trusting one key. On AGPU's home chain the gateway locks AGPU
/// that leaves and releases it when it comes back; on a remote chain it mints BridgedAGPU for what arrives and
/// burns what leaves. A transfer is completed on its destination only with EIP-712 signatures of at least
/// `threshold` of the registered bridge validators over a message naming the source and destination chains, the
/// source gateway, the nonce, the sender, the recipient and the amount; the domain names the destination gateway
/// and chain, so a message signed for one gateway is worthless at any other, and each message completes once.
/// Amounts are rate-limited per period in each direction. A transfer that cannot or will not complete (over the
/// destination's per-period limit, or declined by its recipient) is cancelled on its destination and refunded on
/// its source with the same quorum's signatures over the cancellation. The validator set, the threshold,
/// counterpart gateways and the limits change only by governance.
interface IBridgeGateway {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice Home locks and releases AGPU; Remote mints and burns BridgedAGPU.
    enum Mode {
        Home,
        Remote
    }

    /// @notice One transfer, as validators sign it.
    struct Transfer {
        uint256 sourceChainId;
        uint256 destinationChainId;
        address sourceGateway;
        uint256 nonce;
        address sender;
        address recipient;
        uint256 amount;
    }

    /// @notice How much may leave and how much may arrive per `period` seconds.
    struct RateLimit {
        uint32 period;
        uint128 maxOutgoing;
        uint128 maxIncoming;
    }

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    error BridgeZeroAddress();
    error BridgeZeroAmount();
    /// @notice No counterpart gateway is registered for `chainId` (or it is this chain).
    error BridgeUnknownChain(uint256 chainId);
    /// @notice The transfer is for `destinationChainId`, not this chain.
    error BridgeWrongDestination(uint256 destinationChainId);
    /// @notice The transfer names `sourceGateway`, not the registered counterpart of its source chain.
    error BridgeWrongSourceGateway(address sourceGateway, address counterpart);
    /// @notice The transfer with this digest was completed already.
    error BridgeAlreadyCompleted(bytes32 digest);
    /// @notice A signature is not a valid ECDSA signature.
    error BridgeInvalidSignature(uint256 index);
    /// @notice `signer` signed twice.
    error BridgeDuplicateSigner(address signer);
    /// @notice Signatures must come in ascending order of their signers' addresses.
    error BridgeSignersNotAscending(address signer);
    /// @notice `signer` is not a bridge validator (never was, or was removed).
    error BridgeNotValidator(address signer);
    /// @notice Only `signatures` valid signatures, below the threshold of `threshold`.
    error BridgeBelowThreshold(uint256 signatures, uint256 threshold);
    /// @notice `amount` exceeds what the period still allows (`available`) in that direction.
    error BridgeRateLimited(bool outgoing, uint256 amount, uint256 available);
    /// @notice A validator set of `count` with threshold `threshold` is not allowed: it needs 1 to 32 distinct,
    /// non-zero validators and a threshold that is a strict majority of them.
    error BridgeInvalidValidatorSet(uint256 count, uint256 threshold);
    error BridgeParameterOutOfBounds(string parameter, uint256 value, uint256 min, uint256 max);
    /// @notice Only the recipient may cancel a transfer that the destination's limit still lets complete.
    error BridgeNotCancellable(bytes32 digest, address caller);
    /// @notice No transfer with this digest was sent from this gateway.
    error BridgeUnknownTransfer(bytes32 digest);
    /// @notice The transfer with this digest was refunded already.
    error BridgeAlreadyRefunded(bytes32 digest);

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice AGPU left this chain. `digest` is what validators sign for the destination gateway to complete it.
    event TransferSent(
        uint256 indexed nonce,
        uint256 indexed destinationChainId,
        address indexed sender,
        address recipient,
        uint256 amount,
        bytes32 digest
    );
    /// @notice A transfer from another chain arrived and was paid out.
    event TransferCompleted(
        bytes32 indexed digest,
        uint256 indexed sourceChainId,
        uint256 indexed nonce,
        address sender,
        address recipient,
        uint256 amount
    );
    /// @notice A transfer from another chain will never complete here (`by`: its recipient, or anyone when it is
    /// over the per-period limit); validators sign its refund for the source gateway.
    event TransferCancelled(
        bytes32 indexed digest,
        uint256 indexed sourceChainId,
        uint256 indexed nonce,
        address sender,
        address recipient,
        uint256 amount,
        address by
    );
    /// @notice A transfer sent from here was cancelled on its destination and paid back to its sender.
    event TransferRefunded(bytes32 indexed digest, uint256 indexed nonce, address indexed sender, uint256 amount);
    event ValidatorsSet(address[] validators, uint256 threshold);
    event CounterpartSet(uint256 indexed chainId, address gateway);
    event RateLimitSet(RateLimit limit);

    // ---------------------------------------------------------------------------------------------
    // Anyone
    // ---------------------------------------------------------------------------------------------

    /// @notice Sends `amount` of the caller's AGPU to `recipient` on `destinationChainId`: locks it (home) or burns
    /// it (remote). Needs the gateway's allowance at home. Returns the transfer's nonce on this gateway.
    function send(uint256 destinationChainId, address recipient, uint256 amount) external returns (uint256 nonce);

    /// @notice Completes `transfer` here with `signatures` (ascending by signer): releases (home) or mints (remote)
    /// to its recipient. Anyone may submit it; the signatures are what authorize it.
    function complete(Transfer calldata transfer, bytes[] calldata signatures) external;

    /// @notice Cancels `transfer` here for good, so that it can be refunded on its source: its recipient may
    /// always decline it, and anyone may cancel one larger than the per-period incoming limit (it could never
    /// complete).
    function cancel(Transfer calldata transfer) external;

    /// @notice Pays a transfer sent from here back to its sender (releases or mints) with `signatures` (ascending
    /// by signer) of the validator quorum over its refund digest, which validators sign only after reading its
    /// cancellation on the destination. Anyone may submit it.
    function refund(Transfer calldata transfer, bytes[] calldata signatures) external;

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @notice Replaces the validator set and threshold.
    function setValidators(address[] calldata validators, uint256 threshold) external;

    /// @notice Registers the gateway on `chainId` that transfers come from and go to (zero removes it).
    function setCounterpart(uint256 chainId, address gateway) external;

    function setRateLimit(RateLimit calldata limit) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The EIP-712 digest validators sign for `transfer` completing at this gateway.
    function transferDigest(Transfer calldata transfer) external view returns (bytes32);

    /// @notice Whether the transfer with this digest was completed, or cancelled, here (either way it is done).
    function isCompleted(bytes32 digest) external view returns (bool);

    /// @notice Whether the transfer with this digest was cancelled here (it is also marked completed).
    function isCancelled(bytes32 digest) external view returns (bool);

    /// @notice Whether the transfer with this digest was sent from here, and whether it was refunded.
    function sentStatus(bytes32 digest) external view returns (bool sent, bool refunded);

    /// @notice The EIP-712 digest validators sign to refund the transfer with digest `transferDigest` at this
    /// gateway (its source).
    function refundDigest(bytes32 transferDigest) external view returns (bytes32);

    function mode() external view returns (Mode);

    function token() external view returns (address);

    function validators() external view returns (address[] memory);

    function threshold() external view returns (uint256);

    function counterpartOf(uint256 chainId) external view returns (address);

    function rateLimit() external view returns (RateLimit memory);

    /// @notice How much may still leave and arrive in the current period.
    function available() external view returns (uint256 outgoing, uint256 incoming);

    /// @notice Home: AGPU locked here for other chains. Remote: zero (the bridged supply is the token's supply).
    function totalLocked() external view returns (uint256);

    /// @notice Transfers sent from this gateway so far (the next nonce).
    function sentCount() external view returns (uint256);
}
