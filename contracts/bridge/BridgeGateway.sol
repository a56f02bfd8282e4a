// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ProtocolUpgradeable} from "../access/ProtocolUpgradeable.sol";
import {IBridgeGateway} from "../interfaces/IBridgeGateway.sol";
import {IBridgedAGPU} from "../interfaces/IBridgedAGPU.sol";

/// @title BridgeGateway
/// @notice One gateway per chain: at AGPU's home it locks and releases AGPU, elsewhere it mints and burns
/// BridgedAGPU; transfers arrive only with an M-of-N quorum of bridge validators' EIP-712 signatures. See
/// {IBridgeGateway}.
contract BridgeGateway is ProtocolUpgradeable, ReentrancyGuardTransient, IBridgeGateway {
    using SafeERC20 for IERC20;

    uint256 public constant MAX_VALIDATORS = 32;
    uint256 public constant MIN_RATE_PERIOD = 1 hours;
    uint256 public constant MAX_RATE_PERIOD = 7 days;

    // solhint-disable-next-line gas-small-strings
    bytes32 public constant TRANSFER_TYPEHASH = keccak256(
        "Transfer(uint256 sourceChainId,uint256 destinationChainId,address sourceGateway,uint256 nonce,"
        "address sender,address recipient,uint256 amount)"
    );
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant _DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    /// @notice What validators sign, in the source gateway's domain, to refund a transfer cancelled on its
    /// destination: the transfer's own digest.
    bytes32 public constant REFUND_TYPEHASH = keccak256("Refund(bytes32 transfer)");
    bytes32 private constant _NAME_HASH = keccak256("StarMiner Bridge");
    bytes32 private constant _VERSION_HASH = keccak256("1");

    // ---------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------

    /// @custom:storage-location erc7201:starminer.storage.BridgeGateway
    // solhint-disable-next-line gas-struct-packing
    struct BridgeGatewayStorage {
        address token;
        Mode mode;
        address[] validators;
        mapping(address validator => bool) isValidator;
        uint256 threshold;
        mapping(uint256 chainId => address gateway) counterparts;
        mapping(bytes32 digest => bool) completed;
        uint256 sentCount;
        uint256 totalLocked;
        RateLimit limit;
        uint64 windowStart;
        uint256 sentInWindow;
        uint256 receivedInWindow;
        mapping(bytes32 digest => bool) cancelled;
        mapping(bytes32 digest => SentTransfer) sent;
    }

    /// @dev A transfer sent from here: recorded so that only a real transfer, once, can be refunded.
    struct SentTransfer {
        bool sent;
        bool refunded;
    }

    // keccak256(abi.encode(uint256(keccak256("starminer.storage.BridgeGateway")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _BRIDGE_STORAGE = 0xb108826c9285aa0d863a5849de925e619a953550b41ccfe476ee7c10f4da8300;

    function _s() private pure returns (BridgeGatewayStorage storage $) {
        assembly {
            $.slot := _BRIDGE_STORAGE
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Initialization
    // ---------------------------------------------------------------------------------------------

    /// @param authority The chain's AccessManager.
    /// @param mode_ Home (lock AGPU) or Remote (mint BridgedAGPU).
    /// @param token_ AGPU at home, BridgedAGPU on a remote chain.
    /// @param validators_ The bridge validators, each a separate signer.
    /// @param threshold_ How many of them must sign a transfer (a strict majority).
    /// @param limit The rate limit.
    function initialize(
        address authority,
        Mode mode_,
        address token_,
        address[] calldata validators_,
        uint256 threshold_,
        RateLimit calldata limit
    ) external initializer {
        __ProtocolUpgradeable_init(authority);
        if (token_ == address(0)) revert BridgeZeroAddress();
        BridgeGatewayStorage storage $ = _s();
        $.mode = mode_;
        $.token = token_;
        _setValidators(validators_, threshold_);
        _setRateLimit(limit);
    }

    // ---------------------------------------------------------------------------------------------
    // Transfers
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IBridgeGateway
    function send(
        uint256 destinationChainId,
        address recipient,
        uint256 amount
    ) external whenNotPaused nonReentrant returns (uint256 nonce) {
        BridgeGatewayStorage storage $ = _s();
        if (recipient == address(0)) revert BridgeZeroAddress();
        if (amount == 0) revert BridgeZeroAmount();
        address counterpart = $.counterparts[destinationChainId];
        if (counterpart == address(0) || destinationChainId == block.chainid) {
            revert BridgeUnknownChain(destinationChainId);
        }
        _spend($, true, amount);

        nonce = $.sentCount;
        $.sentCount = nonce + 1;
        Transfer memory t = Transfer({
            sourceChainId: block.chainid,
            destinationChainId: destinationChainId,
            sourceGateway: address(this),
            nonce: nonce,
            sender: msg.sender,
            recipient: recipient,
            amount: amount
        });
        bytes32 digest = _digest(t, counterpart);
        $.sent[digest].sent = true;
        emit TransferSent(nonce, destinationChainId, msg.sender, recipient, amount, digest);

        if ($.mode == Mode.Home) {
            $.totalLocked += amount;
            IERC20($.token).safeTransferFrom(msg.sender, address(this), amount);
        } else {
            IBridgedAGPU($.token).burn(msg.sender, amount);
        }
    }

    /// @inheritdoc IBridgeGateway
    function complete(Transfer calldata t, bytes[] calldata signatures) external whenNotPaused nonReentrant {
        BridgeGatewayStorage storage $ = _s();
        bytes32 digest = _arriving($, t);
        _checkSignatures($, digest, signatures);
        _spend($, false, t.amount);
        $.completed[digest] = true;
        emit TransferCompleted(digest, t.sourceChainId, t.nonce, t.sender, t.recipient, t.amount);
        _payOut($, t.recipient, t.amount);
    }

    /// @inheritdoc IBridgeGateway
    function cancel(Transfer calldata t) external whenNotPaused {
        BridgeGatewayStorage storage $ = _s();
        bytes32 digest = _arriving($, t);
        if (msg.sender != t.recipient && t.amount <= $.limit.maxIncoming)
            revert BridgeNotCancellable(digest, msg.sender);
        $.completed[digest] = true;
        $.cancelled[digest] = true;
        emit TransferCancelled(digest, t.sourceChainId, t.nonce, t.sender, t.recipient, t.amount, msg.sender);
    }

    /// @inheritdoc IBridgeGateway
    function refund(Transfer calldata t, bytes[] calldata signatures) external whenNotPaused nonReentrant {
        BridgeGatewayStorage storage $ = _s();
        // The digest the transfer was sent with: its destination gateway's, as this gateway knows it now.
        bytes32 digest = _digest(t, $.counterparts[t.destinationChainId]);
        SentTransfer storage record = $.sent[digest];
        // A digest recorded at sending names this chain and this gateway as the source.
        if (!record.sent) revert BridgeUnknownTransfer(digest);
        if (record.refunded) revert BridgeAlreadyRefunded(digest);
        _checkSignatures($, _refundDigest(digest), signatures);
        record.refunded = true;
        emit TransferRefunded(digest, t.nonce, t.sender, t.amount);
        _payOut($, t.sender, t.amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Governance (restricted)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IBridgeGateway
    function setValidators(address[] calldata validators_, uint256 threshold_) external restricted {
        _setValidators(validators_, threshold_);
    }

    /// @inheritdoc IBridgeGateway
    function setCounterpart(uint256 chainId, address gateway) external restricted {
        if (chainId == 0 || chainId == block.chainid) revert BridgeUnknownChain(chainId);
        _s().counterparts[chainId] = gateway;
        emit CounterpartSet(chainId, gateway);
    }

    /// @inheritdoc IBridgeGateway
    function setRateLimit(RateLimit calldata limit) external restricted {
        _setRateLimit(limit);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IBridgeGateway
    function transferDigest(Transfer calldata t) external view returns (bytes32) {
        return _digest(t, address(this));
    }

    /// @inheritdoc IBridgeGateway
    function isCompleted(bytes32 digest) external view returns (bool) {
        return _s().completed[digest];
    }

    /// @inheritdoc IBridgeGateway
    function isCancelled(bytes32 digest) external view returns (bool) {
        return _s().cancelled[digest];
    }

    /// @inheritdoc IBridgeGateway
    function sentStatus(bytes32 digest) external view returns (bool sent, bool refunded) {
        SentTransfer storage record = _s().sent[digest];
        return (record.sent, record.refunded);
    }

    /// @inheritdoc IBridgeGateway
    function refundDigest(bytes32 transferDigest_) external view returns (bytes32) {
        return _refundDigest(transferDigest_);
    }

    /// @inheritdoc IBridgeGateway
    function mode() external view returns (Mode) {
        return _s().mode;
    }

    /// @inheritdoc IBridgeGateway
    function token() external view returns (address) {
        return _s().token;
    }

    /// @inheritdoc IBridgeGateway
    function validators() external view returns (address[] memory) {
        return _s().validators;
    }

    /// @inheritdoc IBridgeGateway
    function threshold() external view returns (uint256) {
        return _s().threshold;
    }

    /// @inheritdoc IBridgeGateway
    function counterpartOf(uint256 chainId) external view returns (address) {
        return _s().counterparts[chainId];
    }

    /// @inheritdoc IBridgeGateway
    function rateLimit() external view returns (RateLimit memory) {
        return _s().limit;
    }

    /// @inheritdoc IBridgeGateway
    function available() external view returns (uint256 outgoing, uint256 incoming) {
        BridgeGatewayStorage storage $ = _s();
        RateLimit memory limit = $.limit;
        if (block.timestamp >= uint256($.windowStart) + limit.period) return (limit.maxOutgoing, limit.maxIncoming);
        outgoing = limit.maxOutgoing > $.sentInWindow ? limit.maxOutgoing - $.sentInWindow : 0;
        incoming = limit.maxIncoming > $.receivedInWindow ? limit.maxIncoming - $.receivedInWindow : 0;
    }

    /// @inheritdoc IBridgeGateway
    function totalLocked() external view returns (uint256) {
        return _s().totalLocked;
    }

    /// @inheritdoc IBridgeGateway
    function sentCount() external view returns (uint256) {
        return _s().sentCount;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev The EIP-712 digest of `t` in the domain of `gateway` on `t.destinationChainId`: what the destination
    /// gateway checks, so a signature is good at that gateway on that chain only.
    function _digest(Transfer memory t, address gateway) private pure returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(_DOMAIN_TYPEHASH, _NAME_HASH, _VERSION_HASH, t.destinationChainId, gateway)
        );
        bytes32 structHash = keccak256(
            abi.encode(
                TRANSFER_TYPEHASH,
                t.sourceChainId,
                t.destinationChainId,
                t.sourceGateway,
                t.nonce,
                t.sender,
                t.recipient,
                t.amount
            )
        );
        return MessageHashUtils.toTypedDataHash(domainSeparator, structHash);
    }

    /// @dev The refund digest of a transfer sent from here, in this gateway's domain on this chain.
    function _refundDigest(bytes32 transferDigest_) private view returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(_DOMAIN_TYPEHASH, _NAME_HASH, _VERSION_HASH, block.chainid, address(this))
        );
        return
            MessageHashUtils.toTypedDataHash(domainSeparator, keccak256(abi.encode(REFUND_TYPEHASH, transferDigest_)));
    }

    /// @dev Checks a transfer arriving here (right destination, known source gateway, a recipient and an amount,
    /// not done yet) and returns its digest.
    function _arriving(BridgeGatewayStorage storage $, Transfer calldata t) private view returns (bytes32 digest) {
        if (t.destinationChainId != block.chainid) revert BridgeWrongDestination(t.destinationChainId);
        address counterpart = $.counterparts[t.sourceChainId];
        if (counterpart == address(0) || t.sourceChainId == block.chainid) revert BridgeUnknownChain(t.sourceChainId);
        if (t.sourceGateway != counterpart) revert BridgeWrongSourceGateway(t.sourceGateway, counterpart);
        if (t.recipient == address(0)) revert BridgeZeroAddress();
        if (t.amount == 0) revert BridgeZeroAmount();
        digest = _digest(t, address(this));
        if ($.completed[digest]) revert BridgeAlreadyCompleted(digest);
    }

    /// @dev Releases (home) or mints (remote) `amount` to `to`.
    function _payOut(BridgeGatewayStorage storage $, address to, uint256 amount) private {
        if ($.mode == Mode.Home) {
            $.totalLocked -= amount;
            IERC20($.token).safeTransfer(to, amount);
        } else {
            IBridgedAGPU($.token).mint(to, amount);
        }
    }

    /// @dev Needs at least `threshold` signatures of distinct current validators, in ascending signer order.
    function _checkSignatures(
        BridgeGatewayStorage storage $,
        bytes32 digest,
        bytes[] calldata signatures
    ) private view {
        uint256 required = $.threshold;
        if (signatures.length < required) revert BridgeBelowThreshold(signatures.length, required);
        address previous;
        for (uint256 i = 0; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(digest, signatures[i]);
            if (error != ECDSA.RecoverError.NoError) revert BridgeInvalidSignature(i);
            if (signer == previous) revert BridgeDuplicateSigner(signer);
            if (signer < previous) revert BridgeSignersNotAscending(signer);
            if (!$.isValidator[signer]) revert BridgeNotValidator(signer);
            previous = signer;
        }
    }

    /// @dev Counts `amount` against the period's limit in one direction, starting a new period when the last one
    /// is over.
    function _spend(BridgeGatewayStorage storage $, bool outgoing, uint256 amount) private {
        RateLimit memory limit = $.limit;
        if (block.timestamp >= uint256($.windowStart) + limit.period) {
            $.windowStart = uint64(block.timestamp);
            $.sentInWindow = 0;
            $.receivedInWindow = 0;
        }
        uint256 used = outgoing ? $.sentInWindow : $.receivedInWindow;
        uint256 max = outgoing ? limit.maxOutgoing : limit.maxIncoming;
        if (used + amount > max) revert BridgeRateLimited(outgoing, amount, max > used ? max - used : 0);
        if (outgoing) $.sentInWindow = used + amount;
        else $.receivedInWindow = used + amount;
    }

    function _setValidators(address[] calldata validators_, uint256 threshold_) private {
        BridgeGatewayStorage storage $ = _s();
        uint256 count = validators_.length;
        if (count == 0 || count > MAX_VALIDATORS || threshold_ * 2 <= count || threshold_ > count) {
            revert BridgeInvalidValidatorSet(count, threshold_);
        }
        address[] storage current = $.validators;
        for (uint256 i = 0; i < current.length; ++i) $.isValidator[current[i]] = false;
        delete $.validators;
        for (uint256 i = 0; i < count; ++i) {
            address validator = validators_[i];
            if (validator == address(0) || $.isValidator[validator])
                revert BridgeInvalidValidatorSet(count, threshold_);
            $.isValidator[validator] = true;
            $.validators.push(validator);
        }
        $.threshold = threshold_;
        emit ValidatorsSet(validators_, threshold_);
    }

    function _setRateLimit(RateLimit calldata limit) private {
        if (limit.period < MIN_RATE_PERIOD || limit.period > MAX_RATE_PERIOD) {
            revert BridgeParameterOutOfBounds("period", limit.period, MIN_RATE_PERIOD, MAX_RATE_PERIOD);
        }
        if (limit.maxOutgoing == 0) revert BridgeParameterOutOfBounds("maxOutgoing", 0, 1, type(uint128).max);
        if (limit.maxIncoming == 0) revert BridgeParameterOutOfBounds("maxIncoming", 0, 1, type(uint128).max);
        _s().limit = limit;
        emit RateLimitSet(limit);
    }
}
