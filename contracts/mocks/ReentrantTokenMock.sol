// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @dev Test-only. An ERC-20 that, while moving tokens, calls back into a target with prepared calldata: a hostile token for
/// reentrancy tests. The callback's revert is bubbled up so tests can see which guard stopped it.
contract ReentrantTokenMock is ERC20 {
    address private _target;
    bytes private _callback;

    constructor() ERC20("Reentrant", "RE") {
        _mint(msg.sender, 1_000_000 ether);
    }

    function arm(address target, bytes calldata callback) external {
        _target = target;
        _callback = callback;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = _target;
        if (target != address(0)) {
            _target = address(0);
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory reason) = target.call(_callback);
            if (!ok) {
                assembly {
                    revert(add(reason, 32), mload(reason))
                }
            }
        }
    }
}
