/**
 * The sample store's catalogue shape: 8 departments › 3 aisles each › 2–3 shelves
 * (leaf categories). Brands and adjectives belong to an aisle, so that brand and
 * category carry overlapping but not identical signal; each shelf has its own
 * product nouns, size/variant labels and a log-normal price (median in USD and
 * sigma of log-price), so price distributions differ per category.
 *
 * All names are invented (no real brands) and kept short so titles read naturally:
 * "Bluepeak Organic Ground Coffee 500 g".
 */
export interface ShelfSpec {
  name: string;
  medianPrice: number;
  priceSigma: number;
  products: string[];
  variants: string[];
}

export interface AisleSpec {
  name: string;
  brands: string[];
  adjectives: string[];
  shelves: ShelfSpec[];
}

export interface DepartmentSpec {
  name: string;
  /** Hue (0–360) of the department's image tiles. */
  hue: number;
  aisles: AisleSpec[];
}

/** "Coffee|11|0.35|Ground Coffee,Whole Bean Coffee|250 g,500 g" → ShelfSpec. */
function shelf(spec: string): ShelfSpec {
  const [name, median, sigma, products, variants] = spec.split("|");
  return {
    name,
    medianPrice: Number(median),
    priceSigma: Number(sigma),
    products: products.split(","),
    variants: variants.split(","),
  };
}

function aisle(name: string, brands: string, adjectives: string, shelves: string[]): AisleSpec {
  return { name, brands: brands.split(","), adjectives: adjectives.split(","), shelves: shelves.map(shelf) };
}

export const TAXONOMY: DepartmentSpec[] = [
  {
    name: "Grocery",
    hue: 28,
    aisles: [
      aisle("Beverages", "Morning Ridge,Bluepeak,Casa Verde,Alpen Spring,Tealeaf & Co", "Organic,Classic,Fair Trade,Premium", [
        "Coffee|11|0.35|Ground Coffee,Whole Bean Coffee,Espresso Pods,Cold Brew Concentrate,Instant Coffee|250 g,340 g,500 g,1 kg",
        "Tea|7|0.4|Green Tea,Earl Grey Tea,Chamomile Tea,Chai Tea,Matcha Powder|20 Bags,40 Bags,80 Bags,100 g",
        "Juice|4.5|0.35|Orange Juice,Apple Juice,Cranberry Juice,Coconut Water,Lemonade|1 L,1.5 L,6 x 250 ml",
      ]),
      aisle("Snacks", "Crunchwell,Golden Acre,Nutty Bros,Harvest Lane,Sweet Meadow", "Sea Salt,Lightly Sweetened,Original,Family Size", [
        "Chips|3.5|0.3|Potato Chips,Tortilla Chips,Veggie Crisps,Pretzels,Popcorn|150 g,200 g,6-Pack,12-Pack",
        "Cookies|4|0.35|Chocolate Chip Cookies,Oat Cookies,Shortbread,Wafer Rolls,Biscotti|200 g,300 g,6-Pack",
        "Nuts|8|0.4|Roasted Almonds,Cashews,Mixed Nuts,Pistachios,Trail Mix|200 g,500 g,1 kg",
      ]),
      aisle("Pantry", "Nonna Rosa,Spice Route,Golden Grain,Mill Creek,Olive Grove", "Organic,Traditional,Whole Grain,Gluten-Free", [
        "Pasta|2.5|0.3|Spaghetti,Penne,Fusilli,Lasagne Sheets,Egg Noodles|500 g,1 kg,3-Pack",
        "Sauces|4|0.35|Tomato Basil Sauce,Pesto,BBQ Sauce,Hot Sauce,Soy Sauce|250 ml,500 ml,680 g",
        "Spices|5|0.4|Smoked Paprika,Ground Cumin,Black Peppercorns,Cinnamon Sticks,Curry Powder|50 g,100 g,250 g",
      ]),
    ],
  },
  {
    name: "Home",
    hue: 200,
    aisles: [
      aisle("Kitchen", "Ironhearth,Copperline,Kitchara,Steelwise,Panworks", "Nonstick,Stainless,Cast Iron,Professional", [
        "Cookware|45|0.5|Frying Pan,Saucepan,Dutch Oven,Wok,Stockpot|20 cm,24 cm,28 cm,5 qt",
        "Cutlery|35|0.55|Chef's Knife,Paring Knife,Knife Block Set,Bread Knife,Steak Knives|3.5 in,8 in,4-Piece,6-Piece",
        "Storage|18|0.45|Food Storage Containers,Glass Jars,Spice Rack,Bread Box,Lunch Box|1.5 L,3-Piece,10-Piece,24-Piece",
      ]),
      aisle("Bedding", "Dreamloft,Softhaven,Linenfield,Nordnest,Slumberly", "Cotton,Organic,Cooling,Luxury", [
        "Sheets|40|0.45|Sheet Set,Linen Sheet Set,Fitted Sheet,Flannel Sheets|Twin,Full,Queen,King",
        "Pillows|30|0.45|Memory Foam Pillow,Down Pillow,Body Pillow,Pillow Protector|Standard,Queen,King,2-Pack",
        "Blankets|35|0.5|Throw Blanket,Weighted Blanket,Fleece Blanket,Quilt|50 x 60 in,Queen,King",
      ]),
      aisle("Decor", "Lumen & Oak,Driftwood Studio,Northlight,Potter's Lane,Casa Luna", "Modern,Rustic,Minimalist,Handmade", [
        "Candles|16|0.45|Scented Candle,Pillar Candle,Tealight Set,Soy Candle|200 g,3-Pack,12-Pack",
        "Vases|25|0.5|Ceramic Vase,Glass Vase,Bud Vase Set,Floor Vase|Small,Medium,Large",
        "Wall Art|40|0.6|Canvas Print,Framed Poster,Wall Mirror,Photo Frame Set|8 x 10 in,16 x 20 in,24 x 36 in",
      ]),
    ],
  },
  {
    name: "Electronics",
    hue: 265,
    aisles: [
      aisle("Audio", "Sonique,Bassline,Echowave,Auralis,Tonefield", "Wireless,Noise-Cancelling,Studio,Portable", [
        "Headphones|80|0.7|Over-Ear Headphones,Earbuds,On-Ear Headphones,Sports Earphones|Black,White,Blue",
        "Speakers|70|0.7|Bluetooth Speaker,Soundbar,Bookshelf Speakers,Smart Speaker|Black,Grey,Sand",
        "Microphones|60|0.6|USB Microphone,Lavalier Microphone,Condenser Microphone|Black,Silver",
      ]),
      aisle("Computers", "Keystone,Pixelcraft,Datamore,Byteforge,Logicore", "Ergonomic,Slim,Backlit,Wireless", [
        "Keyboards|45|0.6|Keyboard,Mechanical Keyboard,Numeric Keypad,Compact Keyboard|US Layout,UK Layout,Black",
        "Mice|25|0.6|Mouse,Trackball,Gaming Mouse,Vertical Mouse|Black,White,Graphite",
        "Monitors|220|0.5|24-inch Monitor,27-inch Monitor,Curved Monitor,Portable Monitor|1080p,1440p,4K",
      ]),
      aisle("Phone Accessories", "Voltix,Shieldo,Chargemate,Gripline,Cellguard", "Slim,Rugged,Fast,Magnetic", [
        "Cases|15|0.4|Phone Case,Wallet Case,Clear Case,Folio Case|6.1 in,6.7 in,Black,Clear",
        "Chargers|20|0.45|Wall Charger,Car Charger,Wireless Charging Pad,Power Bank|20 W,45 W,10000 mAh",
        "Cables|10|0.4|USB-C Cable,Lightning Cable,Braided Charging Cable|1 m,2 m,3-Pack",
      ]),
    ],
  },
  {
    name: "Beauty",
    hue: 330,
    aisles: [
      aisle("Skincare", "Dermaluxe,Pure Petal,Aquaveil,Botanica Lab,Glowhaus", "Hydrating,Gentle,Daily,Fragrance-Free", [
        "Moisturizers|22|0.5|Face Cream,Night Cream,Gel Moisturizer,Body Lotion|50 ml,100 ml,250 ml",
        "Cleansers|14|0.45|Foaming Cleanser,Micellar Water,Cleansing Balm,Exfoliating Scrub|150 ml,200 ml,400 ml",
        "Sun Care|16|0.4|Sunscreen SPF 30,Sunscreen SPF 50,After-Sun Gel,Tinted Sunscreen|50 ml,100 ml,200 ml",
      ]),
      aisle("Hair Care", "Silkroot,Maneworks,Lustra,Curlcraft,Herbalia", "Nourishing,Volumizing,Repairing,Sulfate-Free", [
        "Shampoo|10|0.4|Shampoo,Dry Shampoo,Clarifying Shampoo,Anti-Dandruff Shampoo|250 ml,500 ml,1 L",
        "Conditioner|11|0.4|Conditioner,Leave-In Conditioner,Hair Mask|250 ml,500 ml,1 L",
        "Styling|15|0.5|Hair Gel,Hair Spray,Styling Cream,Hair Oil|100 ml,200 ml,300 ml",
      ]),
      aisle("Makeup", "Velvetine,Rouge & Co,Lashique,Prismabelle,Nudeform", "Matte,Long-Wear,Waterproof,Satin", [
        "Lips|14|0.45|Lipstick,Lip Gloss,Lip Liner,Lip Balm|Ruby,Nude,Coral,Berry",
        "Eyes|16|0.5|Mascara,Eyeliner,Eyeshadow Palette,Brow Pencil|Black,Brown,12 Shades",
        "Face|22|0.5|Foundation,Concealer,Setting Powder,Blush|Light,Medium,Deep",
      ]),
    ],
  },
  {
    name: "Sports",
    hue: 140,
    aisles: [
      aisle("Fitness", "Ironflex,Corestrong,Flowfit,Pulsegear,Zenmat", "Non-Slip,Adjustable,Heavy-Duty,Eco", [
        "Yoga|28|0.45|Yoga Mat,Yoga Block,Yoga Strap,Meditation Cushion|4 mm,6 mm,2-Pack",
        "Weights|60|0.7|Dumbbell Set,Kettlebell,Adjustable Dumbbells,Weight Plates|5 kg,10 kg,20 kg",
        "Cardio|35|0.7|Jump Rope,Resistance Band Set,Ab Wheel,Step Platform|Light,Medium,Heavy",
      ]),
      aisle("Outdoor", "Trailborn,Summitco,Wildpine,Ridgeback,Camp Nomad", "Waterproof,Ultralight,All-Season,Packable", [
        "Tents|150|0.6|Dome Tent,Backpacking Tent,Family Tent,Pop-Up Tent|1-Person,2-Person,4-Person,6-Person",
        "Backpacks|70|0.55|Hiking Backpack,Daypack,Hydration Pack|20 L,35 L,50 L",
        "Camp Kitchen|30|0.6|Camping Stove,Cook Set,Insulated Bottle,Camping Mug|350 ml,750 ml,1 L",
      ]),
      aisle("Cycling", "Velocita,Spokewell,Chainline,Pedalpro,Gearhaus", "Aero,Lightweight,Reflective,Commuter", [
        "Helmets|55|0.5|Road Helmet,Mountain Bike Helmet,Commuter Helmet|S,M,L",
        "Bike Lights|25|0.5|Front Light,Rear Light,Light Set|400 Lumen,800 Lumen,1200 Lumen",
        "Bike Tools|20|0.5|Multi-Tool,Mini Pump,Tire Levers,Repair Kit|Compact,Standard",
      ]),
    ],
  },
  {
    name: "Toys",
    hue: 50,
    aisles: [
      aisle("Building", "Brickly,Constructo,Tinkerblock,Buildwise,Stackit", "Creative,Deluxe,Starter,Classic", [
        "Blocks|30|0.6|Building Blocks Set,Magnetic Tiles,Wooden Blocks|100-Piece,250-Piece,500-Piece",
        "Model Kits|40|0.6|Model Airplane Kit,Model Car Kit,Robot Kit,Model Ship Kit|1:24,1:48,Beginner",
      ]),
      aisle("Games", "Meeple House,Dicey,Gamenight,Cardstack,Puzzleworks", "Family,Strategy,Party,Classic", [
        "Board Games|30|0.4|Board Game,Cooperative Game,Word Game,Trivia Game|2-4 Players,2-6 Players,Travel Edition",
        "Puzzles|18|0.4|Jigsaw Puzzle,3D Puzzle,Brain Teaser Set|500-Piece,1000-Piece,2000-Piece",
        "Card Games|12|0.35|Card Game,Deck of Cards,Trading Card Starter|Standard,Deluxe",
      ]),
      aisle("Plush", "Snugglebee,Cuddle Co,Fluffpaw,Tiny Grove,Huggables", "Soft,Giant,Mini,Cuddly", [
        "Stuffed Animals|20|0.5|Teddy Bear,Plush Bunny,Plush Dinosaur,Plush Unicorn|20 cm,30 cm,60 cm",
        "Puppets|15|0.4|Hand Puppet,Finger Puppet Set,Puppet Theater|Small,Large",
      ]),
    ],
  },
  {
    name: "Books",
    hue: 10,
    aisles: [
      aisle("Fiction", "Inkwell Press,Harbor Books,Lanternhouse,Quillstone,Redleaf", "Bestselling,Award-Winning,Gripping,Classic", [
        "Mystery|13|0.3|Mystery Novel,Detective Story,Thriller|Paperback,Hardcover",
        "Fantasy|15|0.3|Fantasy Novel,Epic Saga,Dragon Tale|Paperback,Hardcover,Box Set",
        "Romance|12|0.3|Romance Novel,Love Story,Holiday Romance|Paperback,Hardcover",
      ]),
      aisle("Non-Fiction", "Atlas & Quill,Brightmind,Northstar Press,Cornerstone,Verity Books", "Practical,Complete,Essential,Illustrated", [
        "Cookbooks|25|0.35|Cookbook,Baking Book,Vegetarian Cookbook|Paperback,Hardcover",
        "History|20|0.35|History of Rome,World History,Biography|Paperback,Hardcover",
        "Self-Help|16|0.35|Productivity Guide,Mindfulness Book,Personal Finance Guide|Paperback,Hardcover",
      ]),
      aisle("Children's Books", "Little Acorn,Storytime Press,Bright Owl,Puddle Books,Sunnyside", "Illustrated,Bedtime,First,Interactive", [
        "Picture Books|10|0.35|Picture Book,Board Book,Lift-the-Flap Book|Ages 0-3,Ages 3-5",
        "Early Readers|8|0.35|Early Reader,Phonics Set,Activity Book|Level 1,Level 2,Level 3",
      ]),
    ],
  },
  {
    name: "Pets",
    hue: 95,
    aisles: [
      aisle("Dogs", "Barkley,Happy Paws,Trailhound,Wagwell,Canine Co", "Grain-Free,Durable,Orthopedic,Natural", [
        "Dog Food|35|0.5|Dry Dog Food,Wet Dog Food,Dog Treats,Puppy Food|2 kg,6 kg,12-Pack",
        "Dog Toys|12|0.45|Chew Toy,Rope Toy,Squeaky Ball,Puzzle Feeder|S,M,L",
        "Dog Beds|50|0.5|Dog Bed,Crate Mat,Dog Blanket|S,M,L,XL",
      ]),
      aisle("Cats", "Whiskerly,Purrfect,Feline Fine,Catnap,Kittyhawk", "Clumping,Grain-Free,Indoor,Natural", [
        "Cat Food|25|0.5|Dry Cat Food,Wet Cat Food,Cat Treats|1.5 kg,4 kg,24-Pack",
        "Litter|20|0.45|Cat Litter,Litter Box,Litter Mat|10 L,20 L,Standard",
        "Cat Toys|10|0.45|Feather Wand,Catnip Mice,Scratching Post|Single,3-Pack",
      ]),
      aisle("Aquarium", "Aquaria,Reefline,Bluefin,Tidepool,Coralis", "LED,Quiet,Complete,Freshwater", [
        "Tanks|80|0.6|Aquarium Kit,Fish Bowl,Nano Tank|10 L,40 L,100 L",
        "Filters|30|0.5|Aquarium Filter,Air Pump,Water Heater|Small,Medium,Large",
        "Fish Food|7|0.4|Tropical Flakes,Fish Pellets,Algae Wafers|50 g,100 g,250 g",
      ]),
    ],
  },
];
