// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {BridgeGateway} from "../../contracts/bridge/BridgeGateway.sol";
import {IBridgeGateway} from "../../contracts/interfaces/IBridgeGateway.sol";
import {IBridgedAGPU} from "../../contracts/interfaces/IBridgedAGPU.sol";
import {AGPU} from "../../contracts/token/AGPU.sol";
import {BridgedAGPU} from "../../contracts/token/BridgedAGPU.sol";
import {TestBase} from "../support/TestBase.sol";

uint256 constant HOME_CHAIN = 1;
uint256 constant REMOTE_CHAIN = 10;
uint64 constant GUARDIAN = 3;
uint64 constant BRIDGE_MINTER = 13;
uint256 constant USERS = 3;
uint256 constant VALIDATORS = 4;
uint256 constant THRESHOLD = 3;
uint256 constant USER_FUNDS = 5_000 ether;
uint32 constant PERIOD = 1 hours;
uint128 constant MAX_PER_PERIOD = 4_000 ether;

/// @dev Both ends of the bridge on one chain: the handler switches the chain id to the gateway it calls, so that
/// each gateway sees itself on its own chain, and signs with the bridge validators' keys. The validators are
/// honest: they sign a transfer that was sent, and a refund only for a transfer cancelled at its destination. The
/// handler also relays with too few signatures, with signatures of outsiders and twice, and predicts every call's
/// outcome: a call that reverts when it should have gone through, or the other way round, is counted.
contract BridgeHandler is TestBase {
    struct Sent {
        IBridgeGateway.Transfer transfer;
        bytes32 digest;
        bool toRemote;
    }

    AGPU public immutable agpu;
    BridgedAGPU public immutable bridged;
    BridgeGateway public immutable home;
    BridgeGateway public immutable remote;
    address[USERS] public users;
    uint256[VALIDATORS] private _keys;

    Sent[] private _sent;
    mapping(bytes32 digest => uint256) public ghostPaidOut;
    mapping(bytes32 digest => uint256) public ghostRefunded;
    uint256 public ghostUnexpectedReverts;
    uint256 public ghostUnexpectedSuccesses;
    mapping(bytes4 action => uint256 count) public calls;

    constructor(
        AGPU agpu_,
        BridgedAGPU bridged_,
        BridgeGateway home_,
        BridgeGateway remote_,
        address[USERS] memory users_,
        uint256[VALIDATORS] memory keys
    ) {
        agpu = agpu_;
        bridged = bridged_;
        home = home_;
        remote = remote_;
        users = users_;
        _keys = keys;
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    /// @dev A user sends some of what it holds on one chain to a user on the other, within the period's limit.
    function sendAcross(bool fromHome, uint256 senderSeed, uint256 recipientSeed, uint256 amountSeed) external {
        BridgeGateway source = fromHome ? home : remote;
        vm.chainId(fromHome ? HOME_CHAIN : REMOTE_CHAIN);
        address sender = users[senderSeed % USERS];
        uint256 balance = fromHome ? agpu.balanceOf(sender) : bridged.balanceOf(sender);
        (uint256 outgoing, ) = source.available();
        uint256 most = balance < outgoing ? balance : outgoing;
        if (most == 0) return;
        uint256 amount = bound(amountSeed, 1, most);
        address recipient = users[recipientSeed % USERS];
        uint256 nonce = source.sentCount();
        bool expected = !source.paused();
        vm.prank(sender);
        try source.send(fromHome ? REMOTE_CHAIN : HOME_CHAIN, recipient, amount) {
            _record(fromHome, nonce, sender, recipient, amount);
            _outcome(expected, true);
            ++calls[this.sendAcross.selector];
        } catch {
            _outcome(expected, false);
        }
    }

    /// @dev A relayer completes a sent transfer at its destination with `signers` validator signatures (below
    /// the threshold too); sometimes a transfer already completed or cancelled.
    function relay(uint256 transferSeed, uint256 signersSeed) external {
        if (_sent.length == 0) return;
        Sent memory s = _sent[transferSeed % _sent.length];
        BridgeGateway destination = _destination(s.toRemote);
        vm.chainId(s.toRemote ? REMOTE_CHAIN : HOME_CHAIN);
        uint256 signers = bound(signersSeed, 1, VALIDATORS);
        (, uint256 incoming) = destination.available();
        bool expected =
            !destination.paused() &&
                !destination.isCompleted(s.digest) &&
                signers >= THRESHOLD &&
                s.transfer.amount <= incoming;
        try destination.complete(s.transfer, _signatures(s.digest, signers, 0)) {
            ++ghostPaidOut[s.digest];
            _outcome(expected, true);
            ++calls[this.relay.selector];
        } catch {
            _outcome(expected, false);
        }
    }

    /// @dev Signatures of as many outsiders as the threshold asks for: never enough.
    function forge(uint256 transferSeed) external {
        if (_sent.length == 0) return;
        Sent memory s = _sent[transferSeed % _sent.length];
        vm.chainId(s.toRemote ? REMOTE_CHAIN : HOME_CHAIN);
        try _destination(s.toRemote).complete(s.transfer, _signatures(s.digest, THRESHOLD, 1_000)) {
            ++ghostPaidOut[s.digest];
            _outcome(false, true);
        } catch {}
    }

    /// @dev The recipient gives up on a transfer that has not arrived, so that its sender can be refunded.
    function cancel(uint256 transferSeed) external {
        if (_sent.length == 0) return;
        Sent memory s = _sent[transferSeed % _sent.length];
        BridgeGateway destination = _destination(s.toRemote);
        vm.chainId(s.toRemote ? REMOTE_CHAIN : HOME_CHAIN);
        bool expected = !destination.paused() && !destination.isCompleted(s.digest);
        vm.prank(s.transfer.recipient);
        try destination.cancel(s.transfer) {
            _outcome(expected, true);
            ++calls[this.cancel.selector];
        } catch {
            _outcome(expected, false);
        }
    }

    /// @dev The validators sign a refund at the source once the transfer is cancelled at its destination, and a
    /// relayer submits it (again, sometimes).
    function refund(uint256 transferSeed) external {
        if (_sent.length == 0) return;
        Sent memory s = _sent[transferSeed % _sent.length];
        BridgeGateway destination = _destination(s.toRemote);
        BridgeGateway source = s.toRemote ? home : remote;
        vm.chainId(s.toRemote ? REMOTE_CHAIN : HOME_CHAIN);
        if (!destination.isCancelled(s.digest)) return;
        vm.chainId(s.toRemote ? HOME_CHAIN : REMOTE_CHAIN);
        (, bool refunded) = source.sentStatus(s.digest);
        bool expected = !source.paused() && !refunded;
        try source.refund(s.transfer, _signatures(source.refundDigest(s.digest), THRESHOLD, 0)) {
            ++ghostRefunded[s.digest];
            _outcome(expected, true);
            ++calls[this.refund.selector];
        } catch {
            _outcome(expected, false);
        }
    }

    /// @dev The guardian pauses or unpauses one gateway.
    function pause(bool atHome, bool on) external {
        BridgeGateway gateway = atHome ? home : remote;
        vm.chainId(atHome ? HOME_CHAIN : REMOTE_CHAIN);
        if (gateway.paused() == on) return;
        if (on) gateway.pause();
        else gateway.unpause();
        ++calls[this.pause.selector];
    }

    /// @dev Moves time by up to a period and a half, so that rate-limit periods end.
    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, (uint256(PERIOD) * 3) / 2));
    }

    // ---------------------------------------------------------------------------------------------
    // Views for the invariants
    // ---------------------------------------------------------------------------------------------

    function sentCount() external view returns (uint256) {
        return _sent.length;
    }

    function sent(uint256 index) external view returns (Sent memory) {
        return _sent[index];
    }

    /// @dev AGPU on its way: sent and neither delivered (completed, not cancelled) nor refunded. Split by
    /// direction; reads the gateways as they are (each on its own chain).
    function inFlight() external returns (uint256 toRemote, uint256 toHome) {
        for (uint256 i = 0; i < _sent.length; ++i) {
            Sent memory s = _sent[i];
            BridgeGateway destination = _destination(s.toRemote);
            vm.chainId(s.toRemote ? REMOTE_CHAIN : HOME_CHAIN);
            bool delivered = destination.isCompleted(s.digest) && !destination.isCancelled(s.digest);
            vm.chainId(s.toRemote ? HOME_CHAIN : REMOTE_CHAIN);
            (, bool refunded) = (s.toRemote ? home : remote).sentStatus(s.digest);
            if (delivered || refunded) continue;
            if (s.toRemote) toRemote += s.transfer.amount;
            else toHome += s.transfer.amount;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _record(bool fromHome, uint256 nonce, address sender, address recipient, uint256 amount) private {
        IBridgeGateway.Transfer memory t = IBridgeGateway.Transfer({
            sourceChainId: fromHome ? HOME_CHAIN : REMOTE_CHAIN,
            destinationChainId: fromHome ? REMOTE_CHAIN : HOME_CHAIN,
            sourceGateway: address(fromHome ? home : remote),
            nonce: nonce,
            sender: sender,
            recipient: recipient,
            amount: amount
        });
        _sent.push(Sent({transfer: t, digest: _destination(fromHome).transferDigest(t), toRemote: fromHome}));
    }

    function _destination(bool toRemote) private view returns (BridgeGateway) {
        return toRemote ? remote : home;
    }

    function _outcome(bool expected, bool succeeded) private {
        if (expected && !succeeded) ++ghostUnexpectedReverts;
        if (!expected && succeeded) ++ghostUnexpectedSuccesses;
    }

    /// @dev `count` signatures of `digest` in ascending signer order: the validators' (`keyOffset` 0) or
    /// outsiders' keys.
    function _signatures(bytes32 digest, uint256 count, uint256 keyOffset) private view returns (bytes[] memory) {
        uint256[] memory keys = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) keys[i] = keyOffset == 0 ? _keys[i] : keyOffset + i;
        // Insertion sort by signer address: a handful of keys.
        for (uint256 i = 1; i < count; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
        bytes[] memory signatures = new bytes[](count);
        for (uint256 i = 0; i < count; ++i) {
            (uint8 v, bytes32 r, bytes32 sig) = vm.sign(keys[i], digest);
            signatures[i] = abi.encodePacked(r, sig, v);
        }
        return signatures;
    }
}

/// @dev Invariants of the bridge's supply under random sequences of sends, relays (honest, short of signatures,
/// forged, replayed), cancellations, refunds, pauses and time: AGPU locked at home is exactly what circulates
/// remotely plus what is on its way, no transfer is paid out twice, and nothing is created or lost.
/// forge-config: default.invariant.runs = 500
/// forge-config: default.invariant.depth = 64
contract BridgeInvariantTest is TestBase {
    AGPU private agpu;
    BridgedAGPU private bridged;
    BridgeGateway private home;
    BridgeGateway private remote;
    BridgeHandler private handler;

    function setUp() public {
        AccessManager manager = new AccessManager(address(this));
        address authority = address(manager);
        agpu = new AGPU(authority, address(this), 100_000_000 ether, 7 days, 0, 1);
        bridged = new BridgedAGPU(authority);

        uint256[VALIDATORS] memory keys;
        address[] memory validators = new address[](VALIDATORS);
        for (uint256 i = 0; i < VALIDATORS; ++i) {
            keys[i] = 0xB00 + i;
            validators[i] = vm.addr(keys[i]);
        }
        IBridgeGateway.RateLimit memory limit = IBridgeGateway.RateLimit({
            period: PERIOD,
            maxOutgoing: MAX_PER_PERIOD,
            maxIncoming: MAX_PER_PERIOD
        });
        home = _gateway(authority, IBridgeGateway.Mode.Home, address(agpu), validators, limit);
        remote = _gateway(authority, IBridgeGateway.Mode.Remote, address(bridged), validators, limit);
        vm.chainId(HOME_CHAIN);
        home.setCounterpart(REMOTE_CHAIN, address(remote));
        vm.chainId(REMOTE_CHAIN);
        remote.setCounterpart(HOME_CHAIN, address(home));

        bytes4[] memory mintAndBurn = new bytes4[](2);
        mintAndBurn[0] = IBridgedAGPU.mint.selector;
        mintAndBurn[1] = IBridgedAGPU.burn.selector;
        manager.setTargetFunctionRole(address(bridged), mintAndBurn, BRIDGE_MINTER);
        manager.grantRole(BRIDGE_MINTER, address(remote), 0);

        address[USERS] memory users;
        for (uint256 i = 0; i < USERS; ++i) users[i] = address(uint160(0xA000 + i));
        handler = new BridgeHandler(agpu, bridged, home, remote, users, keys);
        bytes4[] memory pausing = new bytes4[](2);
        pausing[0] = bytes4(keccak256("pause()"));
        pausing[1] = bytes4(keccak256("unpause()"));
        manager.setTargetFunctionRole(address(home), pausing, GUARDIAN);
        manager.setTargetFunctionRole(address(remote), pausing, GUARDIAN);
        manager.grantRole(GUARDIAN, address(handler), 0);
        for (uint256 i = 0; i < USERS; ++i) {
            agpu.transfer(users[i], USER_FUNDS);
            vm.prank(users[i]);
            agpu.approve(address(home), type(uint256).max);
        }
        targetContract(address(handler));
        targetSelectors(address(handler), _actions());
    }

    /// @dev The handler's actions: what the invariant runner calls, in random order (its getters excluded).
    function _actions() private pure returns (bytes4[] memory actions) {
        actions = new bytes4[](7);
        actions[0] = BridgeHandler.sendAcross.selector;
        actions[1] = BridgeHandler.relay.selector;
        actions[2] = BridgeHandler.forge.selector;
        actions[3] = BridgeHandler.cancel.selector;
        actions[4] = BridgeHandler.refund.selector;
        actions[5] = BridgeHandler.pause.selector;
        actions[6] = BridgeHandler.warp.selector;
    }

    function invariant_LockedAtHomeIsMintedRemotelyPlusInFlight() public {
        (uint256 toRemote, uint256 toHome) = handler.inFlight();
        vm.chainId(HOME_CHAIN);
        assertEq(home.totalLocked(), bridged.totalSupply() + toRemote + toHome, "locked == minted + in flight");
    }

    function invariant_HomeHoldsExactlyWhatItLocked() public {
        vm.chainId(HOME_CHAIN);
        assertEq(agpu.balanceOf(address(home)), home.totalLocked(), "home's AGPU == totalLocked");
    }

    function invariant_NothingIsCreatedOrLost() public {
        (uint256 toRemote, uint256 toHome) = handler.inFlight();
        uint256 held;
        for (uint256 i = 0; i < USERS; ++i) {
            address user = handler.users(i);
            held += agpu.balanceOf(user) + bridged.balanceOf(user);
        }
        assertEq(held + toRemote + toHome, USER_FUNDS * USERS, "users' AGPU + bridged + in flight == funded");
    }

    /// @dev A transfer is delivered or refunded (after a cancellation at its destination), once, never both.
    function invariant_EveryTransferPaysOutAtMostOnce() public {
        for (uint256 i = 0; i < handler.sentCount(); ++i) {
            BridgeHandler.Sent memory s = handler.sent(i);
            uint256 paid = handler.ghostPaidOut(s.digest);
            uint256 refunded = handler.ghostRefunded(s.digest);
            assertLe(paid + refunded, 1, "paid out + refunded <= 1");
            if (refunded == 1) {
                vm.chainId(s.toRemote ? REMOTE_CHAIN : HOME_CHAIN);
                assertEq(
                    (s.toRemote ? remote : home).isCancelled(s.digest) ? 1 : 0,
                    1,
                    "refunded only after a cancellation"
                );
            }
        }
    }

    function invariant_EveryCallEndsAsPredicted() public view {
        assertEq(handler.ghostUnexpectedReverts(), 0, "a call that should have gone through reverted");
        assertEq(handler.ghostUnexpectedSuccesses(), 0, "a call that should have been refused went through");
    }

    function _gateway(
        address authority,
        IBridgeGateway.Mode mode,
        address token,
        address[] memory validators,
        IBridgeGateway.RateLimit memory limit
    ) private returns (BridgeGateway) {
        bytes memory init = abi.encodeCall(
            BridgeGateway.initialize,
            (authority, mode, token, validators, THRESHOLD, limit)
        );
        return BridgeGateway(address(new ERC1967Proxy(address(new BridgeGateway()), init)));
    }
}
