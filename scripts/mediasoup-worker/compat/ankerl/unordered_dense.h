// ankerl::unordered_dense (mediasoup >= 3.20.1) is not packaged by Debian and cannot
// be downloaded here; the standard containers offer the interface mediasoup uses.
// Slower lookups than the real dense map, same behaviour.
#ifndef ESTRAD_UNORDERED_DENSE_COMPAT_H
#define ESTRAD_UNORDERED_DENSE_COMPAT_H

#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	template<class T>
	struct hash : std::hash<T>
	{
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
